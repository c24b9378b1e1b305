package dev.tamp.optimizer.plan;

import dev.tamp.compiler.ir.TargetSpec;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.HuffmanCoded;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.report.LayerRow;
import dev.tamp.model.report.ModelInspector;
import dev.tamp.optimizer.pipeline.Costs;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a layer costs on a target, per representation of its weights: stored and resident bytes, MACs, memory
 * traffic and a roofline latency, {@code max(2 MACs / (peak x efficiency(kernel)), traffic / bandwidth)}, for one
 * input on one core (the generated code runs batch 1 on the caller's thread). It also says what the target cannot
 * exploit, as notes: a sparse kernel that would not beat the dense one, int8 codes without a fast int8 dot product,
 * scalar code on a runtime without the Vector API.
 *
 * <p>The per-kernel efficiencies are fractions of one core's peak, in {@link #EFFICIENCY}: first estimates from the
 * kernels' inner loops (a dense SIMD loop streams, a CSR loop gathers, a codebook loop adds a table lookup per
 * weight), to be calibrated against the generated kernels' measured timings (issue 7).
 */
public final class CostModel {
    /** The kernel the code generator uses for a representation. */
    public enum KernelKind { DENSE, SPARSE, CODEBOOK, SPARSE_CODEBOOK, INT_K, INT8_DOT, FACTORED, FFT, HASHED }

    /** Fraction of the usable per-core peak each kernel kind reaches; to be calibrated on generated kernels. */
    public static final Map<KernelKind, Double> EFFICIENCY;

    static {
        Map<KernelKind, Double> e = new EnumMap<>(KernelKind.class);
        e.put(KernelKind.DENSE, 0.50);
        e.put(KernelKind.SPARSE, 0.12);
        e.put(KernelKind.CODEBOOK, 0.25);
        e.put(KernelKind.SPARSE_CODEBOOK, 0.10);
        e.put(KernelKind.INT_K, 0.30);
        e.put(KernelKind.INT8_DOT, 0.50);
        e.put(KernelKind.FACTORED, 0.50);
        e.put(KernelKind.FFT, 0.20);
        e.put(KernelKind.HASHED, 0.08);
        EFFICIENCY = java.util.Collections.unmodifiableMap(e);
    }

    private static final int FLOAT_BYTES = 4;

    private final Optional<TargetSpec> target;
    private final boolean simdAllowed;

    /**
     * @param target      the recipe's target; without one, latency is not predicted (zero) and a note says so
     * @param simdAllowed false when the recipe's {@code emit java { simd off }} forbids vector code
     */
    public CostModel(Optional<TargetSpec> target, boolean simdAllowed) {
        this.target = target;
        this.simdAllowed = simdAllowed;
    }

    /** The cost of one layer of the original model as it is in {@code model} (its parts {@code L::x} summed). */
    public record Estimate(String representation, long storedBytes, long residentBytes, long macs,
            long trafficBytes, double seconds, List<String> notes) {
        public Estimate {
            notes = List.copyOf(notes);
        }
    }

    /** The estimate for {@code layer} (a node name of the original model) in {@code model}. */
    public Estimate layer(Model model, String layer) {
        Graph g = model.graph();
        Map<String, LayerRow> rows = new HashMap<>();
        for (LayerRow r : ModelInspector.inspect("cost", model).rows()) {
            rows.put(r.name(), r);
        }
        long stored = 0;
        long resident = 0;
        long macs = 0;
        long traffic = 0;
        double seconds = 0;
        Set<String> kinds = new LinkedHashSet<>();
        Set<String> notes = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            if (!n.name().equals(layer) && !n.name().startsWith(layer + "::")) {
                continue;
            }
            LayerRow row = rows.get(n.name());
            long activations = 0;
            for (String in : List.of(n.input(0))) {
                activations += elements(g, in);
            }
            activations += elements(g, n.output(0));
            long nodeResident = 0;
            Representation main = null;
            for (Weight w : g.weightsOf(n)) {
                stored += w.representation().storedBytes();
                nodeResident += Costs.residentBytes(w.representation());
                if (n.inputs().size() > 1 && w.name().equals(n.input(1))) {
                    main = w.representation();
                }
            }
            resident += nodeResident;
            long denseMacs = row == null ? 0 : row.macs();
            long nodeMacs = main == null ? denseMacs : Costs.macs(denseMacs, main);
            macs += nodeMacs;
            long nodeTraffic = nodeResident + FLOAT_BYTES * activations;
            traffic += nodeTraffic;
            if (main != null) {
                kinds.add(main instanceof HuffmanCoded h ? h.inner().kind() + "+huffman" : main.kind());
                seconds += latency(n.name(), main, denseMacs, nodeMacs, nodeTraffic,
                        FLOAT_BYTES * (activations + elementCount(main)), notes);
            }
        }
        if (target.isEmpty()) {
            notes.add("no target: latency not predicted");
        } else if (!usesSimd()) {
            notes.add(target.get().runtime().equals("art")
                    ? "runtime art: no Vector API on Android, scalar kernels"
                    : "scalar kernels (" + (simdAllowed ? "the target has no SIMD" : "`simd off`") + ")");
        }
        return new Estimate(kinds.isEmpty() ? "dense" : String.join(", ", kinds), stored, resident, macs, traffic,
                seconds, new ArrayList<>(notes));
    }

    /** The kernel kind the generated code uses for a weight representation. */
    public KernelKind kernel(Representation r) {
        Representation inner = r instanceof HuffmanCoded h ? h.inner() : r;
        if (inner instanceof Sparse) {
            return KernelKind.SPARSE;
        } else if (inner instanceof SparseCodebook) {
            return KernelKind.SPARSE_CODEBOOK;
        } else if (inner instanceof Codebook) {
            return KernelKind.CODEBOOK;
        } else if (inner instanceof AffineQuantized q) {
            return q.bits() <= 8 && hasInt8Dot() ? KernelKind.INT8_DOT : KernelKind.INT_K;
        } else if (inner instanceof Factored) {
            return KernelKind.FACTORED;
        } else if (inner instanceof Circulant || inner instanceof BlockCirculant) {
            return KernelKind.FFT;
        } else if (inner instanceof Hashed) {
            return KernelKind.HASHED;
        }
        return KernelKind.DENSE;
    }

    private double latency(String node, Representation main, long denseMacs, long macs, long traffic,
            long denseTraffic, Set<String> notes) {
        if (target.isEmpty()) {
            return 0;
        }
        KernelKind kind = kernel(main);
        double seconds = roofline(kind, macs, traffic);
        if (kind == KernelKind.SPARSE || kind == KernelKind.SPARSE_CODEBOOK) {
            double dense = roofline(KernelKind.DENSE, denseMacs, denseTraffic);
            double density = denseMacs == 0 ? 1 : (double) macs / denseMacs;
            if (seconds >= dense) {
                notes.add(String.format(Locale.ROOT, "pruned but not faster: density %.1f %% is above the %.1f %% "
                        + "where a %s kernel beats the dense one on %s; size only", 100 * density,
                        100 * crossoverDensity(kind), kind == KernelKind.SPARSE ? "sparse" : "sparse-codebook",
                        target.get().name()));
                seconds = dense;
            }
        } else if (main instanceof AffineQuantized || (main instanceof HuffmanCoded h
                && h.inner() instanceof AffineQuantized)) {
            if (kind == KernelKind.INT_K) {
                notes.add(target.get().int8Dot() ? "int codes wider than 8 bits: widened to fp32"
                        : "int codes give size, not time: " + target.get().name()
                        + " has no fast int8 dot product (`int8-dot no`), the kernel widens to fp32");
            }
        }
        return seconds;
    }

    /** The density below which a sparse kernel's compute beats the dense kernel's, by the efficiency table. */
    public static double crossoverDensity(KernelKind sparseKind) {
        return EFFICIENCY.get(sparseKind) / EFFICIENCY.get(KernelKind.DENSE);
    }

    private double roofline(KernelKind kind, long macs, long traffic) {
        TargetSpec t = target.orElseThrow();
        double peak = kind == KernelKind.INT8_DOT ? t.peakInt8().orElse(t.peakFp32()) : t.peakFp32();
        double perCore = peak / Math.max(1, t.cores());
        if (!usesSimd()) {
            perCore /= Math.max(1, t.simdBits() / 32);
        }
        double compute = 2.0 * macs / (perCore * EFFICIENCY.get(kind));
        double memory = traffic / t.bandwidth();
        return Math.max(compute, memory);
    }

    private boolean usesSimd() {
        return target.isPresent() && simdAllowed && target.get().runtime().equals("hotspot")
                && target.get().simdBits() >= 64;
    }

    private boolean hasInt8Dot() {
        return target.isPresent() && target.get().int8Dot() && target.get().peakInt8().isPresent();
    }

    /**
     * The most activation bytes alive at once when the graph runs on one input in node order: every tensor from
     * the node that writes it to its last reader, graph inputs included.
     */
    public static long peakActivationBytes(Graph g) {
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            for (String in : g.nodes().get(i).inputs()) {
                if (!in.isEmpty() && !g.isWeight(in)) {
                    lastUse.put(in, i);
                }
            }
        }
        for (ValueInfo out : g.outputs()) {
            lastUse.put(out.name(), g.nodes().size());
        }
        long live = 0;
        for (ValueInfo in : g.inputs()) {
            live += FLOAT_BYTES * elements(g, in.name());
        }
        long peak = live;
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    live += FLOAT_BYTES * elements(g, out);
                }
            }
            peak = Math.max(peak, live);
            Set<String> freed = new LinkedHashSet<>();
            for (String in : n.inputs()) {
                if (!in.isEmpty() && lastUse.getOrDefault(in, -1) == i && freed.add(in)) {
                    live -= FLOAT_BYTES * elements(g, in);
                }
            }
        }
        return peak;
    }

    /** Elements of a tensor for one input: symbolic and unknown dimensions (the batch) count as 1. */
    private static long elements(Graph g, String tensor) {
        ValueInfo v = g.values().get(tensor);
        if (v == null) {
            return 0;
        }
        Shape s = v.shape();
        long n = 1;
        for (Dim d : s.dims()) {
            n *= d.isKnown() ? d.size() : 1;
        }
        return n;
    }

    private static long elementCount(Representation r) {
        long n = 1;
        for (int d : r.dims()) {
            n *= d;
        }
        return n;
    }
}
