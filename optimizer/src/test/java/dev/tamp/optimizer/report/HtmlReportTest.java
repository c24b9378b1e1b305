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
