package dev.tamp.model.ir;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A node's attributes by name, sorted so that printing and export are deterministic. */
public record Attributes(Map<String, AttributeValue> values) {
    public Attributes {
        values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static Attributes empty() {
        return new Attributes(Map.of());
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Optional<AttributeValue> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public long getInt(String name, long fallback) {
        AttributeValue v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof AttributeValue.Int i) {
            return i.value();
        }
        throw new IllegalArgumentException("attribute " + name + " is not an INT: " + v);
    }

    public float getFloat(String name, float fallback) {
        AttributeValue v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof AttributeValue.Float f) {
            return f.value();
        }
        throw new IllegalArgumentException("attribute " + name + " is not a FLOAT: " + v);
    }

    public String getString(String name, String fallback) {
        AttributeValue v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof AttributeValue.Str s) {
            return s.value();
        }
        throw new IllegalArgumentException("attribute " + name + " is not a STRING: " + v);
    }

    /** The INTS attribute, or null when absent. */
    public long[] getInts(String name) {
        AttributeValue v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof AttributeValue.Ints is) {
            return is.values().stream().mapToLong(Long::longValue).toArray();
        }
        throw new IllegalArgumentException("attribute " + name + " is not INTS: " + v);
    }

    public List<java.lang.Float> getFloats(String name) {
        AttributeValue v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof AttributeValue.Floats fs) {
            return fs.values();
        }
        throw new IllegalArgumentException("attribute " + name + " is not FLOATS: " + v);
    }
}
