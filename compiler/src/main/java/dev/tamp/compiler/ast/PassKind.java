package dev.tamp.compiler.ast;

/** The families of compression passes, one per statement keyword. */
public enum PassKind {
    PRUNE("prune"),
    QUANTIZE("quantize"),
    HASH("hash"),
    FACTORIZE("factorize"),
    STRUCTURE("structure"),
    COMPACT("compact"),
    REGULARIZE("regularize"),
    ENCODE("encode"),
    FINETUNE("finetune"),
    DISTILL("distill");

    private final String keyword;

    PassKind(String keyword) {
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }

    public static PassKind ofKeyword(String keyword) {
        for (PassKind k : values()) {
            if (k.keyword.equals(keyword)) {
                return k;
            }
        }
        throw new IllegalArgumentException("not a pass keyword: " + keyword);
    }
}
