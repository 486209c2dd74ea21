package popek.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class BenchCsvTest {
    @Test
    void oneLinePerCellWithEveryStatistic() {
        assertEquals("""
                row,mode,median_ns_per_iter,min,max,p25,p75,runs,traps_per_iter,exits,iterations\r
                cli_sti,emulate,12,11,13,11.5,12.5,3,2,3,1000\r
                cli_sti,full,447,431,502,439,474.5,3,2,40,1000\r
                out_dx,emulate,40,38,45,39,42.5,3,1,5,1000\r
                out_dx,full,41,39,44,40,42.5,3,1,1001,1000\r
                """, BenchCsv.render(BenchFixtures.twoByTwo()));
    }

    @Test
    void quotesFieldsThatNeedItAndRoundsToSixDigits() {
        BenchResult r = new BenchResult(List.of("full", "para,v2"), List.of(
                new Measurement("mov \"cr3\"", "full", 3, Samples.of(1.0 / 3, 0.1, 123456789), 0.5, 7),
                new Measurement("in,out\nloop", "para,v2", 7, Samples.of(1e-7), 1.0 / 7, 0)));
        assertEquals("row,mode,median_ns_per_iter,min,max,p25,p75,runs,traps_per_iter,exits,iterations\r\n"
                + "\"mov \"\"cr3\"\"\",full,0.333333,0.1,123457000,0.216667,61728400,3,0.5,7,3\r\n"
                + "\"in,out\nloop\",\"para,v2\",0.0000001,0.0000001,0.0000001,0.0000001,0.0000001,1,0.142857,0,7\r\n", BenchCsv.render(r));
    }

    @Test
    void plainFieldsAreNotQuoted() {
        assertEquals("cli_sti", BenchCsv.field("cli_sti"));
        assertEquals("a b", BenchCsv.field("a b"));
        assertEquals("\"a\r\"", BenchCsv.field("a\r"));
        assertEquals("\"\"\"\"", BenchCsv.field("\""));
    }
}
