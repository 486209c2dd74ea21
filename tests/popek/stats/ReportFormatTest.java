package popek.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReportFormatTest {
    @Test
    void nanosecondsKeepThreeSignificantDigitsInColumns() {
        assertEquals("1.23", ReportFormat.ns(1.234));
        assertEquals("12.3", ReportFormat.ns(12.34));
        assertEquals("447", ReportFormat.ns(447.4));
        assertEquals("100", ReportFormat.ns(99.97));
        assertEquals("10234", ReportFormat.ns(10234));
        assertEquals("12 ns", ReportFormat.nsInText(12.4));
        assertEquals("3.4 ns", ReportFormat.nsInText(3.44));
    }

    @Test
    void ratios() {
        assertEquals("37.2x", ReportFormat.ratio(37.2));
        assertEquals("372x", ReportFormat.ratio(372.4));
        assertEquals("1.04x", ReportFormat.ratio(1.04));
        assertEquals("0.47x", ReportFormat.ratio(0.4712));
        assertEquals("0.0039x", ReportFormat.ratio(0.00391));
    }

    @Test
    void durationsPickTheirUnit() {
        assertEquals("1 µs", ReportFormat.duration(1000));
        assertEquals("2.5 µs", ReportFormat.duration(2500));
        assertEquals("1 µs", ReportFormat.duration(999.7), "rounds before choosing the unit");
        assertEquals("10 ms", ReportFormat.duration(1e7));
        assertEquals("12.0 ns", ReportFormat.measuredDuration(12));
        assertEquals("2.00 µs", ReportFormat.measuredDuration(1995.3));
        assertEquals("1.50 ns", ReportFormat.measuredDuration(1.5));
        assertEquals("447 ns", ReportFormat.measuredDuration(447.2));
    }

    @Test
    void xmlEscapesMarkupAndDropsWhatXmlForbids() {
        assertEquals("a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;", ReportFormat.xml("a <b> & \"c\" 'd'"));
        assertEquals("bell\uFFFD tab\t", ReportFormat.xml("bell\u0007 tab\t"));
        assertEquals("µs \uD83D\uDE00 \uFFFD", ReportFormat.xml("µs \uD83D\uDE00 \uD83D"));
    }
}
