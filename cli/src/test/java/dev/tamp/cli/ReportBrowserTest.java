package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report.html} in a real headless browser (Debian's chromium, which .ci/run installs): the page loads from the
 * file alone, its script finds every chart laid out with a size, and a screenshot is a real image. {@code
 * -Dtamp.skipBrowser} skips it on machines without chromium, like {@code -Dtamp.skipNode} for the editor test.
 */
class ReportBrowserTest {
    private static final String MODEL = Path.of("../models/fmnist_lenet300_100.onnx").toAbsolutePath().normalize()
            .toString();
    private static final String DATA = Path.of("../data/fashion-mnist").toAbsolutePath().normalize().toString();

    @TempDir
    Path temp;

    @Test
    void theHtmlReportRendersWithItsChartsInHeadlessChromium() throws Exception {
        Assumptions.assumeFalse(System.getProperty("tamp.skipBrowser") != null, "-Dtamp.skipBrowser");
        Path chromium = chromium();
        Path recipe = temp.resolve("r.recipe");
        // `auto` bits under a size budget: the planner runs, so the report has its frontier too.
        Files.writeString(recipe, "recipe report_check {\n  model \"" + MODEL + "\"\n  data fashion { path \"" + DATA
                + "\"; validation 10 % }\n  target raspberry-pi4\n  budget { size <= 200 KB }\n"
                + "  quantize * { method kmeans; bits auto in {4, 6, 8}; iterations 5 }\n}\n");
        Path out = temp.resolve("out");
        CheckCommandTest.Run run = tamp("compile", recipe.toString(), "-o", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        Path html = out.resolve("report.html");
        String page = Files.readString(html);
        // Self-contained: nothing loaded from elsewhere (the SVG namespace URI is a name, not a load).
        assertThat(page).doesNotContain("src=").doesNotContain("href=").doesNotContain("@import").contains("<svg class=\"chart bytes\"")
                .contains("<svg class=\"chart confusion\"").contains("<svg class=\"chart frontier\"")
                .contains("the planner chose").contains("size &lt;= 200,000 B");

        String dom = browser(chromium, "--dump-dom", html);
        // Three charts laid out with marks of a size; the frontier drew its plans and the ring of the chosen one.
        assertThat(dom).contains("data-charts=\"ok 3\"").contains("/fc1/Gemm");
        java.util.regex.Matcher points = java.util.regex.Pattern.compile("data-frontier-points=\"(\\d+)\"")
                .matcher(dom);
        assertThat(points.find()).as("frontier points counted").isTrue();
        assertThat(Integer.parseInt(points.group(1))).isGreaterThanOrEqualTo(3);

        Path png = temp.resolve("report.png");
        browser(chromium, "--screenshot=" + png, html);
        byte[] image = Files.readAllBytes(png);
        assertThat(image.length).isGreaterThan(10_000); // a page of tables and three charts, not a blank frame
        assertThat(new String(image, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    private static Path chromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new AssertionError("no chromium on PATH: install Debian's `chromium` (.ci/run does), or run the tests "
                + "with -Dtamp.skipBrowser");
    }

    /** Runs headless chromium on the file and returns its stdout; its stderr (D-Bus chatter) is dropped. */
    private String browser(Path chromium, String action, Path html) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--window-size=1200,1400", "--user-data-dir=" + temp.resolve("profile"), action,
                html.toUri().toString()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] stdout = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(p.exitValue()).as("chromium exit code").isZero();
        return new String(stdout, StandardCharsets.UTF_8);
    }
}
