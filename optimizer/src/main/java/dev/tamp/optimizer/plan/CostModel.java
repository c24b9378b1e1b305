package dev.tamp.optimizer.plan;

import dev.tamp.compiler.ir.TargetSpec;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Dense;
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
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.data.Activations;
import dev.tamp.optimizer.pipeline.Costs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a layer costs on a target, per representation of its weights: stored and resident bytes, MACs, memory
 * traffic and a roofline latency for one input on one core (the generated code runs batch 1 on the caller's thread).
 * The latency describes the kernels {@code emit java} generates (docs/codegen.md), node by node: which kernel a
 * layer gets (the SIMD or the scalar dense kernel, a Gemm weight decoded into float rows at load, CSR, channel pairs
 * over im2col rows, two factored products, FFTs, hashed weights, pooling and element-wise loops, a Relu fused into
 * the kernel before it), the operations that kernel executes ({@link Kernel#ops}), and
 * {@code seconds = (call + max(ops / (peak per core x efficiency(kernel)), traffic / bandwidth)) }, where the memory
 * term only counts when the layer's bytes exceed the target's largest cache (batch 1 repeats the same weights). It
 * also says what the target cannot exploit, as notes: a pruned layer the generated code runs no faster, int codes
 * decoded to fp32, scalar code on a runtime without the Vector API.
 *
 * <p>The efficiencies and call costs are one table, {@link #EFFICIENCY} and the constants next to it, calibrated
 * on the host against the generated kernels' measured times by {@code bench/calibrate.sh} (docs/BENCHMARKS.md has
 * the error of every kernel variant).
 */
public final class CostModel {
    /** A kernel the code generator emits (docs/codegen.md), as the cost model prices it. */
    public enum KernelKind {
        /** Dense Gemm, Vector API register tiles over zero-padded rows. */
        GEMM_SIMD("gemm simd"),
        /** Dense Gemm, scalar Java: four rows of W per pass over y (C2 vectorizes the row loop). */
        GEMM_ROWS("gemm rows"),
        /** Codebook, int-k and pruned-above-the-crossover Gemm weights, decoded at load into float rows; zero inputs
         * skipped. */
        GEMM_DECODED("gemm decoded rows"),
        /** Sparse Gemm at or below the crossover density: CSR gather (sparse-codebook adds a centroid lookup). */
        GEMM_CSR("gemm csr"),
        /** Factored Gemm: two products through a rank-long intermediate. */
        GEMM_FACTORED("gemm factored"),
        /** Circulant and block-circulant Gemm: FFT per input tile, spectra products, inverse FFT per output tile. */
        GEMM_FFT("gemm fft"),
        /** Hashed Gemm: each weight recomputed from its hash in the inner loop. */
        GEMM_HASHED("gemm hashed"),
        /** Dense one-group Conv, Vector API: direct (NCHWc-like tiles) or im2col, whichever codegen prices lower. */
        CONV_SIMD("conv simd"),
        /** Dense Conv, scalar Java, planes of 128 pixels or more: im2col rows, pixels innermost. */
        CONV_ROWS("conv rows"),
        /** Dense Conv, scalar Java, planes under 128 pixels: im2col, output channels innermost (4-pixel tiles). */
        CONV_TILES("conv tiles"),
        /** Codebook and int-k Conv: each tap decoded once per call, channel pairs over im2col rows. */
        CONV_DECODED("conv decoded taps"),
        /** Sparse and sparse-codebook Conv: per pair of channels the union of their kept taps over im2col rows. */
        CONV_CSR("conv csr pairs"),
        /** Factored Conv: a conv by the rank filters, then a 1x1 mixing. */
        CONV_FACTORED("conv factored"),
        /** Hashed Conv: each weight recomputed once per call, then as the decoded kernel. */
        CONV_HASHED("conv hashed"),
        /** MaxPool windows: taps times outputs. */
        POOL("pool"),
        /** Relu that is not fused, residual Add, GlobalAveragePool's sums, other element-wise loops. */
        ELEMENTWISE("elementwise"),
        /** No kernel: Flatten (its output aliases its input), a Relu fused into the kernel before it. */
        NONE("none");

        private final String label;

        KernelKind(String label) {
            this.label = label;
        }

        /** The short name in reports and the calibration table. */
        public String label() {
            return label;
        }
    }

    /**
     * Fraction of the target's usable per-core peak ({@code peak.fp32 / cores}) each kernel reaches on the operations
     * {@link Kernel#ops} counts for it. Set from {@code bench/calibrate.sh} on the project machine (docs/BENCHMARKS.md,
     * "Cost model calibration"): each figure is the median over that kernel's rows of the efficiency that predicts
     * the row exactly.
     */
    public static final Map<KernelKind, Double> EFFICIENCY;

    static {
        // Each figure: the median, over the kernel's rows of `bench/calibrate.sh` (2026-12-08, load average 14-16 on
        // the 2-core project machine, probed peak.fp32 16.5 GFLOPS), of the efficiency that predicts the row
        // exactly, i.e. the previous figure times the median factor the run printed; the rows are listed.
        Map<KernelKind, Double> e = new EnumMap<>(KernelKind.class);
        e.put(KernelKind.GEMM_SIMD, 4.2); // LeNet fc layers, resnet8 fc, odd 637x97: factor 1.14 over 3.7
        e.put(KernelKind.GEMM_ROWS, 5.5); // the same layers, simd off: factor 1.19 over 4.6
        e.put(KernelKind.GEMM_DECODED, 3.5); // sparse 50 %, codebook, int8, Huffman on every Gemm: factor 0.91 over 3.8
        e.put(KernelKind.GEMM_CSR, 0.49); // sparse 90/97 %, sparse-codebook on every Gemm: factor 1.09 over 0.45
        e.put(KernelKind.GEMM_FACTORED, 0.55); // rank min(m, n)/8 on every Gemm: factor 1.12 over 0.5
        e.put(KernelKind.GEMM_FFT, 0.47); // block 16 and 12 (Bluestein) on LeNet fc layers: factor 1.00
        // 12.5 % buckets on every Gemm: factor 1.36 over 1.0 (4 to 20 ns a weight, the widest spread of all kernels).
        e.put(KernelKind.GEMM_HASHED, 1.36);
        e.put(KernelKind.CONV_SIMD, 14.3); // every dense Conv of LeNet-5, resnet8, odd shapes: factor 1.02 over 14
        e.put(KernelKind.CONV_ROWS, 5.3); // dense Convs on planes of 128+ pixels, simd off: factor 1.06 over 5
        e.put(KernelKind.CONV_TILES, 3.5); // dense Convs on planes under 128 pixels, simd off: factor 0.96 over 3.65
        e.put(KernelKind.CONV_DECODED, 6.6); // codebook 4/8 bit, int8, int4 on every Conv: factor 0.95 over 7
        e.put(KernelKind.CONV_CSR, 5.05); // sparse 50/90 %, sparse-codebook on every Conv: factor 0.92 over 5.5
        e.put(KernelKind.CONV_FACTORED, 1.35); // rank min(m, n)/8 on every Conv: factor 1.08 over 1.25
        e.put(KernelKind.CONV_HASHED, 5.0); // 12.5 % buckets on every Conv: factor 0.99
        e.put(KernelKind.POOL, 0.15); // LeNet-5's two MaxPools: factor 1.7 over 0.09
        e.put(KernelKind.ELEMENTWISE, 0.23); // resnet8's Adds and GlobalAveragePool: factor 1.02
        e.put(KernelKind.NONE, 1.0);
        EFFICIENCY = Collections.unmodifiableMap(e);
    }

    /** Fixed cost of one kernel call (method call, loop set-up, a fresh output array), in peak-rate operations. */
    static final double KERNEL_CALL_OPS = 60;

    /** Fixed cost of one {@code predict} (input check, buffers, the output copied out), in peak-rate operations. */
    static final double PREDICT_CALL_OPS = 100;

    /** Operations per element copied into im2col rows (a strided gather, not vectorized), for the scalar Convs. */
    static final double IM2COL_OPS = 2;

    /** Operations per output past the last whole vector of a row kernel (a scalar lane instead of a vector one). */
    static final double TAIL_OPS = 4;

    /** The SIMD Conv's operations per output element (the epilogue's gather into NCHW, bias, fused Relu, residual). */
    static final double SIMD_OUTPUT_OPS = 80;

    /** The SIMD Conv's operations per input element (copied into a zero-bordered per-thread buffer). */
    static final double SIMD_INPUT_OPS = 70;

    /** Operations per Conv output element besides its products: bias, epilogue, the store into NCHW order. */
    static final double CONV_OUTPUT_OPS = 40;

    /**
     * Operations per pass of the compressed Conv kernels over a pair of output channels' accumulator rows for one
     * tap (loop set-up, the tap's weights, the rows' bounds): what makes them slow on small planes.
     */
    static final double PAIR_TAP_OPS = 400;

    /** Operations per output row one (filter, tap) pair of a factored Conv sweeps, besides its products. */
    static final double SWEEP_ROW_OPS = 50;

    /** Operations to recompute one hashed weight (a 64-bit mix and an unsigned remainder). */
    static final double HASH_OPS = 78;

    /**
     * The density at or below which the generated code keeps a Gemm's sparse weight as CSR; above it the weight is
     * decoded into float rows at load. Mirrors codegen's {@code CompressedKernels.SPARSE_GATHER_MAX_DENSITY}
     * (codegen's {@code CostModelAgreementTest} asserts they agree).
     */
    public static final double SPARSE_GATHER_MAX_DENSITY = 0.14;

    private static final int FLOAT_BYTES = 4;

    private final Optional<TargetSpec> target;
    private final boolean simdAllowed;
    private final Map<String, Double> densities;

    /**
     * @param target      the recipe's target; without one, latency is not predicted (zero) and a note says so
     * @param simdAllowed false when the recipe's {@code emit java { simd off }} forbids vector code
     */
    public CostModel(Optional<TargetSpec> target, boolean simdAllowed) {
        this(target, simdAllowed, Map.of());
    }

    private CostModel(Optional<TargetSpec> target, boolean simdAllowed, Map<String, Double> densities) {
        this.target = target;
        this.simdAllowed = simdAllowed;
        this.densities = Map.copyOf(densities);
    }

    /**
     * This model with the fraction of non-zero elements of each activation (by tensor name), for the kernels that
     * skip zero inputs; without it every input counts as non-zero.
     */
    public CostModel withDensities(Map<String, Double> nonZero) {
        return new CostModel(target, simdAllowed, nonZero);
    }

    /** The fraction of non-zero elements of each tensor. */
    public static Map<String, Double> densities(Map<String, Tensor> tensors) {
        Map<String, Double> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            float[] v = t.floats();
            long nz = 0;
            for (float f : v) {
                if (f != 0f) {
                    nz++;
                }
            }
            out.put(name, v.length == 0 ? 1.0 : (double) nz / v.length);
        });
        return out;
    }

    /** The non-zero fraction of the graph's input and every node output on {@code batch} (reference executor). */
    public static Map<String, Double> densities(Graph g, Tensor batch, int threads) {
        List<String> names = new ArrayList<>();
        names.add(g.inputs().get(0).name());
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                if (!o.isEmpty() && g.values().containsKey(o) && !names.contains(o)) {
                    names.add(o);
                }
            }
        }
        return densities(Activations.capture(g, batch, names, threads));
    }

    /** The cost of one layer of the original model as it is in {@code model} (its parts {@code L::x} summed). */
    public record Estimate(String representation, long storedBytes, long residentBytes, long macs,
            long trafficBytes, double seconds, List<String> notes) {
        public Estimate {
            notes = List.copyOf(notes);
        }
    }

    /** What the generated kernel of one node executes: its kind and operations (as {@link #EFFICIENCY} counts them). */
    public record Kernel(KernelKind kind, double ops) {}

    /** The estimate for {@code layer} (a node name of the original model) in {@code model}. */
    public Estimate layer(Model model, String layer) {
        Graph g = model.graph();
        Map<String, Integer> uses = uses(g);
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
            long denseMacs = denseMacs(g, n);
            macs += main == null ? denseMacs : Costs.macs(denseMacs, main);
            long nodeTraffic = nodeResident + FLOAT_BYTES * (elements(g, n.input(0)) + elements(g, n.output(0)));
            traffic += nodeTraffic;
            if (main != null) {
                kinds.add(main instanceof HuffmanCoded h ? h.inner().kind() + "+huffman" : main.kind());
            }
            seconds += nodeSeconds(g, n, uses, notes);
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

    /** The predicted seconds of one {@code predict} of the whole model: every node's kernel plus the call. */
    public double seconds(Model model) {
        if (target.isEmpty()) {
            return 0;
        }
        Graph g = model.graph();
        Map<String, Integer> uses = uses(g);
        double s = PREDICT_CALL_OPS / perCore(KernelKind.NONE);
        Set<String> notes = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            s += nodeSeconds(g, n, uses, notes);
        }
        return s;
    }

    /** The seconds of one {@code predict} call itself (what {@link #seconds(Model)} adds to the kernels). */
    public double callSeconds() {
        return target.isEmpty() ? 0 : PREDICT_CALL_OPS / perCore(KernelKind.NONE);
    }

    /** The fixed part of {@link #seconds(Model)}: the call and each kernel's call, without their operations. */
    public double overheadSeconds(Model model) {
        if (target.isEmpty()) {
            return 0;
        }
        Graph g = model.graph();
        Map<String, Integer> uses = uses(g);
        double s = callSeconds();
        for (Node n : g.nodes()) {
            if (kernel(g, n, uses).kind() != KernelKind.NONE) {
                s += KERNEL_CALL_OPS / perCore(KernelKind.NONE);
            }
            if (soleRelu(g, n, uses) != null && !fusesRelu(g, n, uses)) {
                s += KERNEL_CALL_OPS / perCore(KernelKind.NONE);
            }
        }
        return s;
    }

    /** The kernel labels of the graph's nodes that run one, in node order (for reports and the calibration). */
    public List<String> kernels(Graph g) {
        Map<String, Integer> uses = uses(g);
        List<String> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            Kernel k = kernel(g, n, uses);
            if (k.kind() != KernelKind.NONE) {
                out.add(k.kind().label());
            }
        }
        return out;
    }

    /**
     * The seconds of node {@code n}'s kernel; a Relu that alone reads a Conv, Gemm or Add output is priced with that
     * node (free when the kernel fuses it, an element-wise pass when it cannot).
     */
    private double nodeSeconds(Graph g, Node n, Map<String, Integer> uses, Set<String> notes) {
        if (target.isEmpty()) {
            return 0;
        }
        Kernel k = kernel(g, n, uses);
        double s = 0;
        if (k.kind() != KernelKind.NONE) {
            double compute = k.ops() / perCore(k.kind());
            double bytes = traffic(g, n);
            double memory = bytes > largestCache() ? bytes / target.get().bandwidth() : 0;
            s = (KERNEL_CALL_OPS / perCore(KernelKind.NONE)) + Math.max(compute, memory);
        }
        Node relu = soleRelu(g, n, uses);
        if (relu != null && !fusesRelu(g, n, uses)) {
            s += (KERNEL_CALL_OPS / perCore(KernelKind.NONE))
                    + elements(g, relu.output(0)) / perCore(KernelKind.ELEMENTWISE);
        }
        notes(g, n, uses, notes);
        return s;
    }

    /** The kernel the generated code runs for {@code n}, and its operations. */
    public Kernel kernel(Graph g, Node n, Map<String, Integer> uses) {
        switch (n.opType()) {
            case "Gemm" -> {
                return gemm(g, n, uses);
            }
            case "Conv" -> {
                return conv(g, n);
            }
            case "MaxPool" -> {
                long window = 1;
                for (long k : n.attributes().getInts("kernel_shape")) {
                    window *= k;
                }
                return new Kernel(KernelKind.POOL, (double) window * elements(g, n.output(0)));
            }
            case "GlobalAveragePool", "AveragePool" -> {
                return new Kernel(KernelKind.ELEMENTWISE, elements(g, n.input(0)));
            }
            case "Flatten", "Reshape", "Identity" -> {
                return new Kernel(KernelKind.NONE, 0);
            }
            case "Relu" -> {
                Node producer = producer(g, n.input(0));
                if (producer != null && soleRelu(g, producer, uses) == n) {
                    return new Kernel(KernelKind.NONE, 0); // priced with its producer
                }
                return new Kernel(KernelKind.ELEMENTWISE, elements(g, n.output(0)));
            }
            default -> {
                return new Kernel(KernelKind.ELEMENTWISE, elements(g, n.output(0)));
            }
        }
    }

    private Kernel gemm(Graph g, Node n, Map<String, Integer> uses) {
        Representation w = weightOf(g, n);
        long k = elements(g, n.input(0));
        long out = elements(g, n.output(0));
        // The row kernels sweep y in vectors; the outputs past the last whole vector run one lane at a time.
        int lanes = Math.max(1, target.map(t -> t.simdBits() / 32).orElse(1));
        long tail = out % lanes;
        double dense = 2.0 * k * (out - tail + TAIL_OPS * tail);
        if (w == null || w instanceof Dense) {
            return new Kernel(usesSimd() && w != null && uses.getOrDefault(n.input(1), 0) == 1
                    ? KernelKind.GEMM_SIMD : KernelKind.GEMM_ROWS, dense);
        }
        Representation r = inner(w);
        if (decodedAtLoad(r) && uses.getOrDefault(n.input(1), 0) == 1) {
            // The kernel first lists the non-zero inputs, then adds their rows.
            double nz = densities.getOrDefault(n.input(0), 1.0);
            return new Kernel(KernelKind.GEMM_DECODED, k + nz * dense);
        } else if (r instanceof Sparse s) {
            return new Kernel(KernelKind.GEMM_CSR, 2.0 * s.values().length + out);
        } else if (r instanceof SparseCodebook s) {
            return new Kernel(KernelKind.GEMM_CSR, 3.0 * s.positions().length + out);
        } else if (r instanceof Factored f) {
            return new Kernel(KernelKind.GEMM_FACTORED, 2.0 * f.rank() * (k + out));
        } else if (r instanceof BlockCirculant b) {
            return new Kernel(KernelKind.GEMM_FFT, fftOps(b.dims()[0], b.dims()[1], b.blockSize()));
        } else if (r instanceof Circulant c) {
            return new Kernel(KernelKind.GEMM_FFT, fftOps(c.dims()[0], c.dims()[1], c.dims()[0]));
        } else if (r instanceof Hashed) {
            return new Kernel(KernelKind.GEMM_HASHED, (2 + HASH_OPS) * k * out);
        }
        // A weight shared by several nodes keeps its compressed form: the in-kernel lookup paths.
        return new Kernel(KernelKind.GEMM_HASHED, 4.0 * k * out);
    }

    private Kernel conv(Graph g, Node n) {
        Representation w = weightOf(g, n);
        int[] wd = w == null ? new int[] {1, 1, 1, 1} : w.dims();
        long m = wd[0];
        long taps = 1;
        for (int i = 1; i < wd.length; i++) {
            taps *= wd[i];
        }
        long outs = elements(g, n.output(0));
        long pixels = m == 0 ? 0 : outs / m;
        double macs = (double) m * taps * pixels;
        double im2col = IM2COL_OPS * taps * pixels + CONV_OUTPUT_OPS * outs;
        boolean oneGroup = n.attributes().getInt("group", 1) == 1;
        if (w == null || w instanceof Dense) {
            return usesSimd() && oneGroup ? new Kernel(KernelKind.CONV_SIMD, 2 * macs + SIMD_OUTPUT_OPS * outs
                    + SIMD_INPUT_OPS * elements(g, n.input(0)))
                    : new Kernel(oneGroup && pixels < 128 ? KernelKind.CONV_TILES : KernelKind.CONV_ROWS,
                            2 * macs + im2col);
        }
        Representation r = inner(w);
        if (r instanceof Sparse || r instanceof SparseCodebook) {
            // Channels in pairs: each pair runs the union of its two channels' kept taps.
            long kept = r instanceof Sparse s ? s.values().length : ((SparseCodebook) r).positions().length;
            double d = Math.min(1, (double) kept / (m * taps));
            double union = 1 - (1 - d) * (1 - d);
            return new Kernel(KernelKind.CONV_CSR, (2 * macs + PAIR_TAP_OPS * m / 2 * taps) * union + im2col
                    + 2.0 * m * taps);
        } else if (r instanceof Factored f) {
            long rank = f.rank();
            // Weight-stationary sweeps: each (filter, tap) pair sweeps every output row, by V then by U.
            long[] hw = plane(g, n.output(0));
            return new Kernel(KernelKind.CONV_FACTORED, (double) (rank * taps + m * rank) * hw[0]
                    * (SWEEP_ROW_OPS + 2.0 * hw[1]));
        } else if (r instanceof Hashed) {
            return new Kernel(KernelKind.CONV_HASHED, 2 * macs + im2col + (HASH_OPS + PAIR_TAP_OPS / 2) * m * taps);
        }
        return new Kernel(KernelKind.CONV_DECODED, 2 * macs + im2col + (2 + PAIR_TAP_OPS / 2) * m * taps);
    }

    /** Operations of a block-circulant product: one FFT per input tile and per output tile, the spectra products. */
    private static double fftOps(int rows, int cols, int block) {
        double p = Math.ceil((double) rows / block);
        double q = Math.ceil((double) cols / block);
        boolean pow2 = Integer.bitCount(block) == 1;
        int len = pow2 ? block : Integer.highestOneBit(2 * block - 1) << 1;
        // Bluestein: a transform of the padded length forward and back, plus the chirp products.
        double transform = (pow2 ? 1 : 2) * 5.0 * len * Math.max(1, Math.log(len) / Math.log(2))
                + (pow2 ? 0 : 12.0 * len);
        return (p + q) * transform + 8.0 * p * q * (block / 2 + 1);
    }

    private void notes(Graph g, Node n, Map<String, Integer> uses, Set<String> notes) {
        Representation w = weightOf(g, n);
        if (w == null || w instanceof Dense) {
            return;
        }
        Representation r = inner(w);
        TargetSpec t = target.orElseThrow();
        if (r instanceof Sparse || r instanceof SparseCodebook) {
            Kernel sparse = kernel(g, n, uses);
            double denseSeconds = n.opType().equals("Gemm")
                    ? 2.0 * elements(g, n.input(0)) * elements(g, n.output(0))
                            / perCore(usesSimd() ? KernelKind.GEMM_SIMD : KernelKind.GEMM_ROWS)
                    : 2.0 * denseMacs(g, n) / perCore(usesSimd() ? KernelKind.CONV_SIMD : KernelKind.CONV_ROWS);
            long kept = r instanceof Sparse s ? s.values().length : ((SparseCodebook) r).positions().length;
            double density = (double) kept / Math.max(1, elementCount(r));
            // A Gemm decoded at load runs the dense rows whatever its zeros; a Conv runs CSR pairs, maybe slower.
            if (sparse.kind() == KernelKind.GEMM_DECODED || sparse.ops() / perCore(sparse.kind()) >= denseSeconds) {
                double crossover = n.opType().equals("Gemm") ? SPARSE_GATHER_MAX_DENSITY
                        : crossover(sparse.kind(), usesSimd() ? KernelKind.CONV_SIMD : KernelKind.CONV_ROWS);
                notes.add(String.format(Locale.ROOT, "pruned but not faster: density %.1f %% is above the %.1f %% "
                        + "where a %s kernel beats the dense one on %s; size only", 100 * density, 100 * crossover,
                        r instanceof Sparse ? "sparse" : "sparse-codebook", t.name()));
            }
        } else if (r instanceof AffineQuantized) {
            notes.add(t.int8Dot()
                    ? "int codes give size, not time: the generated Java widens them to fp32 (no int8 dot product "
                            + "in Java), though " + t.name() + " has one"
                    : "int codes give size, not time: " + t.name() + " has no fast int8 dot product (`int8-dot no`), "
                            + "the kernel widens to fp32");
        }
    }

    /** The density below which the pair-union CSR Conv kernel's operations beat the dense kernel's. */
    private static double crossover(KernelKind sparse, KernelKind dense) {
        // 2 d - d^2 = eff(sparse) / eff(dense), ignoring the im2col both pay.
        double ratio = Math.min(1, EFFICIENCY.get(sparse) / EFFICIENCY.get(dense));
        return 1 - Math.sqrt(1 - ratio);
    }

    /** Whether the generated kernel of {@code n} applies the Relu that alone reads its output. */
    private static boolean fusesRelu(Graph g, Node n, Map<String, Integer> uses) {
        Representation w = weightOf(g, n);
        return switch (n.opType()) {
            case "Add" -> true;
            case "Conv" -> w instanceof Dense && n.attributes().getInt("group", 1) == 1;
            case "Gemm" -> w instanceof Dense && uses.getOrDefault(n.input(1), 0) == 1
                    && n.attributes().getInt("transA", 0) == 0;
            default -> false;
        };
    }

    /** The Relu that alone reads the output of a Conv, Gemm or Add {@code n} (not a graph output); else null. */
    private static Node soleRelu(Graph g, Node n, Map<String, Integer> uses) {
        if (!List.of("Conv", "Gemm", "Add").contains(n.opType()) || uses.getOrDefault(n.output(0), 0) != 1
                || g.outputs().stream().anyMatch(o -> o.name().equals(n.output(0)))) {
            return null;
        }
        for (Node r : g.nodes()) {
            if (r.opType().equals("Relu") && r.inputs().contains(n.output(0))) {
                return r;
            }
        }
        return null;
    }

    private static Node producer(Graph g, String tensor) {
        for (Node n : g.nodes()) {
            if (n.outputs().contains(tensor)) {
                return n;
            }
        }
        return null;
    }

    private static Map<String, Integer> uses(Graph g) {
        Map<String, Integer> uses = new HashMap<>();
        for (Node n : g.nodes()) {
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    uses.merge(in, 1, Integer::sum);
                }
            }
        }
        return uses;
    }

    private static Representation weightOf(Graph g, Node n) {
        if (n.inputs().size() < 2 || !g.isWeight(n.input(1))) {
            return null;
        }
        return g.weights().get(n.input(1)).representation();
    }

    private static Representation inner(Representation r) {
        return r instanceof HuffmanCoded h ? h.inner() : r;
    }

    /** Whether the generated code decodes a Gemm weight of this (inner) form into float rows at load. */
    static boolean decodedAtLoad(Representation r) {
        if (r instanceof Codebook || r instanceof AffineQuantized) {
            return true;
        }
        if (r instanceof Sparse s) {
            return (double) s.values().length / elementCount(r) > SPARSE_GATHER_MAX_DENSITY;
        }
        if (r instanceof SparseCodebook s) {
            return (double) s.positions().length / elementCount(r) > SPARSE_GATHER_MAX_DENSITY;
        }
        return false;
    }

    /** The dense multiply-adds of a Gemm or Conv node for one input (0 for other nodes). */
    private static long denseMacs(Graph g, Node n) {
        Representation w = weightOf(g, n);
        if (w == null) {
            return 0;
        }
        if (n.opType().equals("Gemm")) {
            return elements(g, n.input(0)) * elements(g, n.output(0));
        }
        if (n.opType().equals("Conv")) {
            int[] d = w.dims();
            long taps = 1;
            for (int i = 1; i < d.length; i++) {
                taps *= d[i];
            }
            return elements(g, n.output(0)) * taps;
        }
        return 0;
    }

    /** Height and width of an NCHW tensor for one input. */
    private static long[] plane(Graph g, String tensor) {
        ValueInfo v = g.values().get(tensor);
        List<Dim> d = v == null ? List.of() : v.shape().dims();
        if (d.size() != 4 || !d.get(2).isKnown() || !d.get(3).isKnown()) {
            return new long[] {1, elements(g, tensor)};
        }
        return new long[] {d.get(2).size(), d.get(3).size()};
    }

    /** Bytes a node's kernel touches: its resident weights and its input and output activations. */
    private static double traffic(Graph g, Node n) {
        double bytes = FLOAT_BYTES * (elements(g, n.input(0)) + elements(g, n.output(0)));
        for (Weight w : g.weightsOf(n)) {
            bytes += Costs.residentBytes(w.representation());
        }
        return bytes;
    }

    private double largestCache() {
        TargetSpec t = target.orElseThrow();
        return t.cache("l3").or(() -> t.cache("l2")).or(() -> t.cache("l1")).orElse(0.0);
    }

    /** Operations per second one core reaches with kernel {@code kind}. */
    private double perCore(KernelKind kind) {
        TargetSpec t = target.orElseThrow();
        double perCore = t.peakFp32() / Math.max(1, t.cores());
        if (t.runtime().equals("art")) {
            // ART does not vectorize loops: the scalar kernels run one lane at a time.
            perCore /= Math.max(1, t.simdBits() / 32);
        }
        return perCore * EFFICIENCY.get(kind);
    }

    private boolean usesSimd() {
        return target.isPresent() && simdAllowed && target.get().runtime().equals("hotspot")
                && target.get().simdBits() >= 128;
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
