package dev.tamp.compiler.ast;

import java.math.BigDecimal;

/**
 * The units a number may carry, each with its dimension and its factor to the canonical unit of that dimension
 * (bytes, seconds, bits, bytes per second, operations per second, hertz, a fraction, epochs, steps).
 */
public enum Unit {
    PERCENT("%", Dimension.FRACTION, "0.01"),
    BYTES("B", Dimension.SIZE, "1"),
    KB("KB", Dimension.SIZE, "1000"),
    MB("MB", Dimension.SIZE, "1000000"),
    GB("GB", Dimension.SIZE, "1000000000"),
    KIB("KiB", Dimension.SIZE, "1024"),
    MIB("MiB", Dimension.SIZE, "1048576"),
    GIB("GiB", Dimension.SIZE, "1073741824"),
    BIT("bit", Dimension.BITS, "1"),
    BITS("bits", Dimension.BITS, "1"),
    NS("ns", Dimension.TIME, "0.000000001"),
    US("us", Dimension.TIME, "0.000001"),
    MS("ms", Dimension.TIME, "0.001"),
    SECONDS("s", Dimension.TIME, "1"),
    EPOCH("epoch", Dimension.EPOCHS, "1"),
    EPOCHS("epochs", Dimension.EPOCHS, "1"),
    STEPS("steps", Dimension.STEPS, "1"),
    KB_PER_S("KB/s", Dimension.BANDWIDTH, "1000"),
    MB_PER_S("MB/s", Dimension.BANDWIDTH, "1000000"),
    GB_PER_S("GB/s", Dimension.BANDWIDTH, "1000000000"),
    FLOPS("FLOPS", Dimension.THROUGHPUT, "1"),
    MFLOPS("MFLOPS", Dimension.THROUGHPUT, "1000000"),
    GFLOPS("GFLOPS", Dimension.THROUGHPUT, "1000000000"),
    TFLOPS("TFLOPS", Dimension.THROUGHPUT, "1000000000000"),
    OPS("OPS", Dimension.THROUGHPUT, "1"),
    MOPS("MOPS", Dimension.THROUGHPUT, "1000000"),
    GOPS("GOPS", Dimension.THROUGHPUT, "1000000000"),
    TOPS("TOPS", Dimension.THROUGHPUT, "1000000000000"),
    MHZ("MHz", Dimension.FREQUENCY, "1000000"),
    GHZ("GHz", Dimension.FREQUENCY, "1000000000");

    /** What a unit measures. */
    public enum Dimension {
        FRACTION("a fraction", "50 %"),
        SIZE("a size", "40 KB"),
        BITS("a bit width", "8 bit"),
        TIME("a duration", "1.5 ms"),
        EPOCHS("a number of epochs", "3 epochs"),
        STEPS("a number of steps", "100 steps"),
        BANDWIDTH("a bandwidth", "25 GB/s"),
        THROUGHPUT("a throughput", "40 GFLOPS"),
        FREQUENCY("a frequency", "1.8 GHz");

        private final String description;
        private final String example;

        Dimension(String description, String example) {
            this.description = description;
            this.example = example;
        }

        public String description() {
            return description;
        }

        public String example() {
            return example;
        }
    }

    private final String symbol;
    private final Dimension dimension;
    private final BigDecimal factor;

    Unit(String symbol, Dimension dimension, String factor) {
        this.symbol = symbol;
        this.dimension = dimension;
        this.factor = new BigDecimal(factor);
    }

    public String symbol() {
        return symbol;
    }

    public Dimension dimension() {
        return dimension;
    }

    /** Multiply a number in this unit by this to get the canonical unit of its dimension. */
    public BigDecimal factor() {
        return factor;
    }

    public static java.util.Optional<Unit> ofSymbol(String symbol) {
        for (Unit u : values()) {
            if (u.symbol.equals(symbol)) {
                return java.util.Optional.of(u);
            }
        }
        return java.util.Optional.empty();
    }
}
