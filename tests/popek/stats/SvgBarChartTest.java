package popek.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgBarChartTest {
    private static final String SVG_NS = "http://www.w3.org/2000/svg";

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    /** Elements of the given class, in document order. */
    private static List<Element> withClass(Document doc, String tag, String cssClass) {
        List<Element> found = new ArrayList<>();
        NodeList all = doc.getElementsByTagNameNS(SVG_NS, tag);
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (e.getAttribute("class").equals(cssClass)) found.add(e);
        }
        return found;
    }

    private static List<String> texts(List<Element> elements) {
        return elements.stream().map(e -> e.getTextContent().strip()).toList();
    }

    @Test
    void oneBarPerMeasuredCellLabelsLegendAndLogTicks() throws Exception {
        Document doc = parse(new SvgBarChart(BenchFixtures.threeModes(), AxisScale.LOG, "instruction class").render("Trap costs"));
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals("900", root.getAttribute("width"));

        assertEquals(5, withClass(doc, "rect", "bar").size(), "3 modes of cli_sti + 2 of page_fault");
        assertEquals(5, withClass(doc, "g", "error-bar").size());
        assertEquals(List.of("cli_sti", "page_fault"), texts(withClass(doc, "text", "row-label")));
        assertEquals(List.of("emulate", "full", "para"), texts(withClass(doc, "g", "legend-entry")));
        // Costs 1.5 ns to 9 µs: whole decades 1 ns to 10 µs.
        assertEquals(List.of("1 ns", "10 ns", "100 ns", "1 µs", "10 µs"), texts(withClass(doc, "text", "tick-label")));
        assertEquals(List.of("instruction class", "ns per iteration, log scale (bar: median; whisker: min–max of 4 runs)"),
                texts(withClass(doc, "text", "axis-title")));
        assertEquals("Trap costs", texts(withClass(doc, "text", "chart-title")).getFirst());

        // Each mode keeps its colour in every row, and the legend swatch matches.
        List<Element> bars = withClass(doc, "rect", "bar");
        assertEquals(SvgBarChart.PALETTE.get(0), bars.get(0).getAttribute("fill"));
        assertEquals(SvgBarChart.PALETTE.get(1), bars.get(1).getAttribute("fill"));
        assertEquals(SvgBarChart.PALETTE.get(2), bars.get(2).getAttribute("fill"));
        assertEquals(SvgBarChart.PALETTE.get(0), bars.get(3).getAttribute("fill"));
        assertEquals(SvgBarChart.PALETTE.get(1), bars.get(4).getAttribute("fill"));
        Element swatch = (Element) withClass(doc, "g", "legend-entry").get(2).getElementsByTagNameNS(SVG_NS, "rect").item(0);
        assertEquals(SvgBarChart.PALETTE.get(2), swatch.getAttribute("fill"));
    }

    @Test
    void barLengthsFollowTheLogScale() throws Exception {
        Document doc = parse(new SvgBarChart(BenchFixtures.threeModes(), AxisScale.LOG, "row").render("t"));
        List<Element> bars = withClass(doc, "rect", "bar");
        double x = Double.parseDouble(bars.get(0).getAttribute("x"));
        // The log axis spans 4 decades: page_fault/full's median of 8600 ns sits log10(8600)/4 of the way along.
        double plotWidth = Double.parseDouble(bars.get(4).getAttribute("width")) / (Math.log10(8600) / 4);
        double fullAtCliSti = Double.parseDouble(bars.get(1).getAttribute("width"));
        assertEquals(Math.log10(415) / 4 * plotWidth, fullAtCliSti, 0.2);
        assertTrue(x + plotWidth <= SvgBarChart.WIDTH - 60, "room for the value written after the longest bar");
    }

    @Test
    void escapesTextAndLabelsLinearTicks() throws Exception {
        BenchResult r = new BenchResult(List.of("a&b", "<full>"), List.of(
                new Measurement("row \"1\" <&>", "a&b", 1, Samples.of(100, 120), 0, 0),
                new Measurement("row \"1\" <&>", "<full>", 1, Samples.of(800, 900), 0, 0)));
        String svg = new SvgBarChart(r, AxisScale.LINEAR, "workload").render("Title with <tags> & \"quotes\"");
        Document doc = parse(svg);
        assertEquals(List.of("row \"1\" <&>"), texts(withClass(doc, "text", "row-label")));
        assertEquals(List.of("a&b", "<full>"), texts(withClass(doc, "g", "legend-entry")));
        assertEquals("Title with <tags> & \"quotes\"", texts(withClass(doc, "text", "chart-title")).getFirst());
        assertEquals(List.of("0", "200 ns", "400 ns", "600 ns", "800 ns", "1 µs"), texts(withClass(doc, "text", "tick-label")));
        assertTrue(svg.contains("linear scale"));
    }

    @Test
    void narrowRangesLabelTwoAndFiveTimesADecade() throws Exception {
        Document doc = parse(new SvgBarChart(BenchFixtures.twoByTwo(), AxisScale.LOG, "row").render("t"));
        assertEquals(List.of("10 ns", "20 ns", "50 ns", "100 ns", "200 ns", "500 ns", "1 µs"),
                texts(withClass(doc, "text", "tick-label")));
    }
}
