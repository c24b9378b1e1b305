package dev.tamp.compiler.ir;

import java.util.List;

/**
 * A layer as selectors see it: its name, other names it answers to (such as its weight initializer), its operator
 * type and its 1-based position in the model's layer list.
 */
public record LayerRef(String name, List<String> aliases, String opType, int position) {
    public LayerRef {
        aliases = List.copyOf(aliases);
        if (position < 1) {
            throw new IllegalArgumentException("positions are 1-based");
        }
    }
}
