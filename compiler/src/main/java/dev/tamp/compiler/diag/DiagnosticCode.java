package dev.tamp.compiler.diag;

/**
 * Every diagnostic tamp can report, with a stable code. Codes never change meaning once released; docs/diagnostics.md
 * has an example for each, and the golden tests produce each one.
 *
 * <p>Ranges: E0xxx lexical and syntax, E1xxx declarations and statements, E2xxx options and values, E3xxx budgets,
 * E4xxx target specs, E5xxx lock files; W-codes are warnings.
 */
public enum DiagnosticCode {
    // Lexical and syntax
    UNEXPECTED_CHARACTER("E0001", Severity.ERROR, "unexpected character"),
    UNTERMINATED_STRING("E0002", Severity.ERROR, "unterminated string"),
    UNTERMINATED_COMMENT("E0003", Severity.ERROR, "unterminated block comment"),
    SYNTAX_ERROR("E0004", Severity.ERROR, "syntax error"),
    UNEXPECTED_END_OF_FILE("E0005", Severity.ERROR, "unexpected end of file"),
    NESTING_TOO_DEEP("E0006", Severity.ERROR, "nesting too deep"),
    INVALID_ESCAPE("E0007", Severity.ERROR, "invalid escape sequence"),

    // Declarations and statements
    NO_DECLARATION("E1001", Severity.ERROR, "file declares nothing"),
    WRONG_DECLARATION_KIND("E1002", Severity.ERROR, "declaration does not belong in this file"),
    MISSING_STATEMENT("E1003", Severity.ERROR, "required statement missing"),
    DUPLICATE_STATEMENT("E1004", Severity.ERROR, "statement given twice"),
    SELECTOR_NOT_ALLOWED("E1005", Severity.ERROR, "statement takes no layer selector"),
    UNKNOWN_EMIT_LANGUAGE("E1006", Severity.ERROR, "unknown output language"),
    FILE_NOT_FOUND("E1007", Severity.ERROR, "file not found"),
    UNKNOWN_TARGET("E1008", Severity.ERROR, "unknown target"),
    DUPLICATE_DECLARATION("E1009", Severity.ERROR, "name declared twice"),
    NEEDS_FINETUNE("E1010", Severity.ERROR, "statement needs fine-tuning"),
    INVALID_SELECTOR("E1011", Severity.ERROR, "invalid layer selector"),
    NEEDS_DATA("E1012", Severity.ERROR, "statement needs a data set"),
    UNMATCHED_SELECTOR("E1013", Severity.ERROR, "selector matches no layer"),
    MODEL_NOT_LOADED("E1014", Severity.ERROR, "model cannot be loaded"),
    /** Reported by {@code tamp compile}, not {@code tamp check}: the language has it, this compiler not yet. */
    NOT_AVAILABLE("E1015", Severity.ERROR, "not available in this version"),

    // Options and values
    UNKNOWN_OPTION("E2001", Severity.ERROR, "unknown option"),
    DUPLICATE_OPTION("E2002", Severity.ERROR, "option given twice"),
    WRONG_VALUE_TYPE("E2003", Severity.ERROR, "wrong kind of value"),
    VALUE_OUT_OF_RANGE("E2004", Severity.ERROR, "value out of range"),
    UNKNOWN_WORD("E2005", Severity.ERROR, "unknown method or setting"),
    CONFLICTING_OPTIONS("E2006", Severity.ERROR, "options conflict"),
    WRONG_UNIT("E2007", Severity.ERROR, "wrong unit"),
    OPTION_NOT_APPLICABLE("E2008", Severity.ERROR, "option does not apply"),
    MISSING_OPTION("E2009", Severity.ERROR, "required option missing"),
    AUTO_NOT_ALLOWED("E2010", Severity.ERROR, "option cannot be auto"),
    EMPTY_RANGE("E2011", Severity.ERROR, "empty range"),
    INVALID_JAVA_NAME("E2012", Severity.ERROR, "invalid Java name"),
    IMPOSSIBLE_FOR_LAYER("E2013", Severity.ERROR, "option impossible for the layer"),

    // Budgets
    UNKNOWN_BUDGET("E3001", Severity.ERROR, "unknown budget"),
    WRONG_BUDGET_DIRECTION("E3002", Severity.ERROR, "budget bound points the wrong way"),
    DUPLICATE_BUDGET("E3003", Severity.ERROR, "budget given twice"),
    BASELINE_NOT_ALLOWED("E3004", Severity.ERROR, "baseline used outside accuracy"),
    BUDGET_UNREACHABLE("E3005", Severity.ERROR, "budget cannot be met"),

    // Target specs
    MISSING_TARGET_PROPERTY("E4001", Severity.ERROR, "target property missing"),
    INCONSISTENT_TARGET("E4002", Severity.ERROR, "target properties contradict each other"),

    // Lock files (`tamp compile --lock`)
    LOCK_MALFORMED("E5001", Severity.ERROR, "malformed lock file"),
    LOCK_INPUT_CHANGED("E5002", Severity.ERROR, "locked input changed"),

    // Warnings
    NO_EFFECT("W0001", Severity.WARNING, "statement has no effect"),
    SUSPICIOUS_VALUE("W0002", Severity.WARNING, "suspicious value");

    private final String code;
    private final Severity severity;
    private final String title;

    DiagnosticCode(String code, Severity severity, String title) {
        this.code = code;
        this.severity = severity;
        this.title = title;
    }

    /** The stable code, such as {@code E2001}. */
    public String code() {
        return code;
    }

    public Severity severity() {
        return severity;
    }

    /** A short name for the kind of problem, used in docs. */
    public String title() {
        return title;
    }

    public static java.util.Optional<DiagnosticCode> byCode(String code) {
        for (DiagnosticCode c : values()) {
            if (c.code.equals(code)) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }
}
