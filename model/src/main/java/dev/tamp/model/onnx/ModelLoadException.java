package dev.tamp.model.onnx;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The one error a model or tensor file that tamp cannot load produces: what kind of problem, and each problem with
 * where it is (a node, tensor or file name) so a user can find it.
 */
public final class ModelLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, coarse enough for a CLI to map to messages or exit codes. */
    public enum Kind {
        /** The file cannot be read. */
        IO,
        /** The bytes are not a valid ONNX model or tensor (truncated, garbage, inconsistent sizes). */
        MALFORMED,
        /** A declared size exceeds the configured limits; nothing that large was allocated. */
        LIMIT,
        /** Valid protobuf, but not a valid graph: cycles, undefined inputs, wrong operator arity. */
        INVALID_GRAPH,
        /** Valid ONNX that uses operators, attributes, types or opsets tamp does not implement. */
        UNSUPPORTED
    }

    /** One problem and where it is; {@code location} is empty when the problem concerns the whole file. */
    public record Problem(String location, String message) {
        public Problem {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return location.isEmpty() ? message : location + ": " + message;
        }
    }

    private final Kind kind;
    private final transient List<Problem> problems;

    public ModelLoadException(Kind kind, String source, List<Problem> problems, Throwable cause) {
        super(render(source, problems), cause);
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a load error needs at least one problem");
        }
        this.kind = Objects.requireNonNull(kind);
        this.problems = List.copyOf(problems);
    }

    public static ModelLoadException of(Kind kind, String source, String location, String message) {
        return new ModelLoadException(kind, source, List.of(new Problem(location, message)), null);
    }

    public static ModelLoadException of(Kind kind, String source, String location, String message,
            Throwable cause) {
        return new ModelLoadException(kind, source, List.of(new Problem(location, message)), cause);
    }

    private static String render(String source, List<Problem> problems) {
        String prefix = source == null || source.isEmpty() ? "" : source + ": ";
        if (problems.size() == 1) {
            return prefix + problems.get(0);
        }
        return prefix + problems.size() + " problems:"
                + problems.stream().map(p -> "\n  " + p).collect(Collectors.joining());
    }

    public Kind kind() {
        return kind;
    }

    public List<Problem> problems() {
        return problems;
    }
}
