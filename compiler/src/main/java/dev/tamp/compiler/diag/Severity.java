package dev.tamp.compiler.diag;

/** How serious a diagnostic is; any error makes a run fail. */
public enum Severity {
    ERROR("error"),
    WARNING("warning");

    private final String label;

    Severity(String label) {
        this.label = label;
    }

    /** The word shown in rendered diagnostics. */
    public String label() {
        return label;
    }
}
