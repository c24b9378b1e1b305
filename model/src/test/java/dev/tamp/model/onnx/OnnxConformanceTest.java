package dev.tamp.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ONNX backend conformance: every {@code node/} and {@code pytorch-converted/} case of Debian's
 * {@code libonnx-testdata} whose operators, attributes and element types tamp supports runs through the importer and
 * the executor and matches the expected outputs within ONNX's own backend-test tolerances (rtol 1e-3, atol 1e-5).
 * A case counts as unsupported only when the importer says why (printed); any other failure fails the test.
 */
class OnnxConformanceTest {
    static final Path TEST_DATA = Path.of(System.getProperty("tamp.onnx.testdata",
            "/usr/share/libonnx-testdata/data"));
    private static final double RTOL = 1e-3;
    private static final double ATOL = 1e-5;

    enum Verdict { PASS, FAIL, UNSUPPORTED }

    record Outcome(String name, Verdict verdict, String detail) {}

    @Test
    void supportedBackendTestCasesMatchTheirExpectedOutputs() throws IOException {
        assertThat(TEST_DATA).as("ONNX backend test data missing at %s: install it with "
                + "'apt-get install libonnx-testdata' (or set -Dtamp.onnx.testdata=DIR)", TEST_DATA).isDirectory();
        List<Outcome> outcomes = new ArrayList<>();
        for (String suite : List.of("node", "pytorch-converted")) {
            Path dir = TEST_DATA.resolve(suite);
            assertThat(dir).as("suite directory").isDirectory();
            List<Path> cases;
            try (Stream<Path> s = Files.list(dir)) {
                cases = s.filter(p -> Files.exists(p.resolve("model.onnx"))).sorted().toList();
            }
            for (Path c : cases) {
                outcomes.add(run(suite + "/" + c.getFileName(), c));
            }
        }
        Map<Verdict, Long> counts = new TreeMap<>();
        for (Outcome o : outcomes) {
            counts.merge(o.verdict(), 1L, Long::sum);
        }
        Map<String, Integer> reasons = new TreeMap<>();
        for (Outcome o : outcomes) {
            if (o.verdict() == Verdict.UNSUPPORTED) {
                System.out.println("unsupported " + o.name() + ": " + o.detail());
                reasons.merge(o.detail().replaceAll("^.*?: ", "").replaceAll("node \\S+ ", ""), 1, Integer::sum);
            }
        }
        for (Outcome o : outcomes) {
            if (o.verdict() == Verdict.FAIL) {
                System.out.println("FAILED " + o.name() + ": " + o.detail());
            }
        }
        long pass = counts.getOrDefault(Verdict.PASS, 0L);
        long fail = counts.getOrDefault(Verdict.FAIL, 0L);
        long unsupported = counts.getOrDefault(Verdict.UNSUPPORTED, 0L);
        System.out.printf("ONNX conformance (%s): %d cases, %d passed, %d failed, %d unsupported%n", TEST_DATA,
                outcomes.size(), pass, fail, unsupported);
        assertThat(pass).as("some supported cases must run").isPositive();
        assertThat(outcomes.stream().filter(o -> o.verdict() == Verdict.FAIL).map(o -> o.name() + ": " + o.detail()))
                .as("supported conformance cases that failed").isEmpty();
    }

    static Outcome run(String name, Path dir) {
        Model model;
        try {
            model = OnnxImporter.withDefaults().load(dir.resolve("model.onnx"));
        } catch (ModelLoadException e) {
            return e.kind() == ModelLoadException.Kind.UNSUPPORTED
                    ? new Outcome(name, Verdict.UNSUPPORTED, e.getMessage().replace(dir.toString(), ""))
                    : new Outcome(name, Verdict.FAIL, "import: " + e.getMessage());
        }
        List<Path> sets;
        try (Stream<Path> s = Files.list(dir)) {
            sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
        } catch (IOException e) {
            return new Outcome(name, Verdict.FAIL, e.toString());
        }
        if (sets.isEmpty()) {
            return new Outcome(name, Verdict.FAIL, "no test_data_set_*");
        }
        try (Executor executor = Executor.create(model.graph(), 1)) {
            for (Path set : sets) {
                List<Tensor> inputs = new ArrayList<>();
                List<Tensor> expected = new ArrayList<>();
                try {
                    for (int i = 0; Files.exists(set.resolve("input_" + i + ".pb")); i++) {
                        inputs.add(TensorCodec.readTensorFile(set.resolve("input_" + i + ".pb")));
                    }
                    for (int i = 0; Files.exists(set.resolve("output_" + i + ".pb")); i++) {
                        expected.add(TensorCodec.readTensorFile(set.resolve("output_" + i + ".pb")));
                    }
                } catch (ModelLoadException e) {
                    if (e.kind() == ModelLoadException.Kind.UNSUPPORTED) {
                        return new Outcome(name, Verdict.UNSUPPORTED, "test data: " + e.problems().get(0));
                    }
                    return new Outcome(name, Verdict.FAIL, "test data: " + e.getMessage());
                }
                for (Tensor t : expected) {
                    if (t.type() != DataType.FLOAT) {
                        return new Outcome(name, Verdict.UNSUPPORTED, "output element type " + t.type());
                    }
                }
                List<ValueInfo> graphInputs = model.graph().inputs();
                if (graphInputs.size() != inputs.size()) {
                    return new Outcome(name, Verdict.FAIL, "model has " + graphInputs.size() + " inputs, test data "
                            + inputs.size());
                }
                Map<String, Tensor> feed = new LinkedHashMap<>();
                for (int i = 0; i < inputs.size(); i++) {
                    feed.put(graphInputs.get(i).name(), inputs.get(i));
                }
                Map<String, Tensor> actual;
                try {
                    actual = executor.run(feed);
                } catch (RuntimeException e) {
                    return new Outcome(name, Verdict.FAIL, "run: " + e);
                }
                List<Tensor> outs = new ArrayList<>(actual.values());
                for (int i = 0; i < expected.size(); i++) {
                    String mismatch = compare(expected.get(i), outs.get(i));
                    if (mismatch != null) {
                        return new Outcome(name, Verdict.FAIL, set.getFileName() + " output " + i + ": " + mismatch);
                    }
                }
            }
        }
        return new Outcome(name, Verdict.PASS, "");
    }

    static String compare(Tensor expected, Tensor actual) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            return "shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape());
        }
        float[] e = expected.floats();
        float[] a = actual.floats();
        for (int i = 0; i < e.length; i++) {
            boolean ok = Float.isNaN(e[i]) ? Float.isNaN(a[i])
                    : e[i] == a[i] || Math.abs((double) a[i] - e[i]) <= ATOL + RTOL * Math.abs(e[i]);
            if (!ok) {
                return "element " + i + " is " + a[i] + ", expected " + e[i];
            }
        }
        return null;
    }
}
