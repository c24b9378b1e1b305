package dev.tamp.optimizer.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.optimizer.pipeline.CompileReport;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Model strings in the HTML and Markdown reports stay text; the same report renders to the same bytes. */
class HtmlReportTest {
    private static final String HOSTILE = "</text></svg><script>alert('x')</script>|\u0001&amp;";

    private static CompileReport report() {
        var row = new CompileReport.Row(HOSTILE, "Gemm", "sparse", 100, 50, 400, 150, 200, 100, 50, 0.01);
        var confusion = CompileReport.Confusion.of(2, new int[] {0, 1, 1}, new int[] {0, 1, 0});
        return new CompileReport("r<b>", "m\"x.onnx", List.of(row), List.of(), OptionalDouble.of(0.9),
                OptionalDouble.of(0.8), 3, 300, Optional.empty(), Optional.of(confusion));
    }

    @Test
    void hostileLayerNamesAreEscapedEverywhere() {
        String html = HtmlReport.render(report());
        assertThat(html).doesNotContain("<script>alert").doesNotContain("</svg><script>").doesNotContain("<b>")
                .contains("&lt;/text&gt;&lt;/svg&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
                .doesNotContain("\u0001");
        // Exactly the one script the report carries, and two charts.
        assertThat(html.split("<script>", -1)).hasSize(2);
        assertThat(html.split("<svg class=\"chart", -1)).hasSize(3);
        String md = MarkdownReport.render(report());
        assertThat(md).doesNotContain("<script>").contains("\\|");
    }

    /** A planned report: a target, budgets, the frontier, and per-layer latencies, sensitivity and notes. */
    private static CompileReport planned() {
        var row = new CompileReport.Row("fc1", "Gemm", "codebook", 100, 100, 400, 80, 80, 100, 100, Double.NaN,
                "dense", 2e-6, 1e-6, Double.NaN, 0.0123, "the planner chose `quantize 4 bits` " + HOSTILE);
        var budgets = List.of(new CompileReport.BudgetCheck("size", "<=", 1000, 90, 300, "weights file",
                CompileReport.Verdict.HOLDS, 3), new CompileReport.BudgetCheck("accuracy", ">=", 0.85, 0.84, 0.8,
                "3 test images", CompileReport.Verdict.MISSES, 4));
        var frontier = List.of(new CompileReport.FrontierPoint(200, 0.81, false),
                new CompileReport.FrontierPoint(400, 0.84, false), new CompileReport.FrontierPoint(300, 0.8, true));
        return report().explained("pi<4>", List.of(row), budgets, frontier);
    }

    @Test
    void aPlannedReportShowsBudgetsTheFrontierAndWhyEachLayerIsWhatItIs() {
        String html = HtmlReport.render(planned());
        assertThat(html.split("<svg class=\"chart", -1)).hasSize(4);
        assertThat(html).contains("<svg class=\"chart frontier\"").contains("chosen: 300 B, 80.00 % measured")
                .contains("size budget").contains("for pi&lt;4&gt;").contains("<td class=\"misses\">MISSES</td>")
                .contains("<td class=\"holds\">holds</td>").contains("why: the planner chose `quantize 4 bits`")
                .contains("dense → codebook").contains("+0.0123").contains("1.00 us")
                .doesNotContain("<script>alert").doesNotContain("<4>");
        // No measured latency in this report: no column for it.
        assertThat(html).doesNotContain("<th>measured</th>");
        String md = MarkdownReport.render(planned());
        assertThat(md).contains("## Budgets").contains("| 4 | accuracy &gt;= 85.00 % | 80.00 % | 3 test images | 84.00 % "
                + "| MISSES |").contains("![size/accuracy frontier](frontier.svg)").contains("| 300 B | 80.00 % | "
                + "**chosen** (measured) |").doesNotContain("<script>");
        String text = planned().renderText(false);
        assertThat(text).contains("target pi<4>").contains("why each layer is what it is").contains("budgets")
                .contains("MISSES");
        assertThat(planned().toJson()).contains("\"verdict\" : \"misses\"").contains("\"chosen\" : true")
                .contains("\"sensitivity\" : 0.0123").doesNotContain("measuredSeconds");
        assertThat(HtmlReport.render(planned())).isEqualTo(html);
    }

    @Test
    void aMeasuredLatencyGetsItsColumn() {
        CompileReport r = planned();
        CompileReport measured = r.explained(r.target(), List.of(r.rows().get(0).measured(3e-6)), r.budgets(),
                r.frontier());
        assertThat(HtmlReport.render(measured)).contains("<th>measured</th>").contains("3.00 us");
        assertThat(measured.toJson()).contains("\"measuredSeconds\" : 3.0E-6");
    }

    @Test
    void sameReportSameBytes() {
        assertThat(HtmlReport.render(report())).isEqualTo(HtmlReport.render(report()));
        assertThat(MarkdownReport.render(report())).isEqualTo(MarkdownReport.render(report()));
    }

    @Test
    void confusionCountsEachImageOnce() {
        var c = CompileReport.Confusion.of(3, new int[] {0, 1, 2, 2}, new int[] {0, 2, 2, 1});
        assertThat(c.count(0, 0)).isEqualTo(1);
        assertThat(c.count(1, 2)).isEqualTo(1);
        assertThat(c.count(2, 2)).isEqualTo(1);
        assertThat(c.count(2, 1)).isEqualTo(1);
        assertThat(java.util.Arrays.stream(c.counts()).sum()).isEqualTo(4);
    }
}
