package dev.tamp.model.ir;

import java.util.List;
import java.util.Objects;

/** The value of a node attribute, one variant per ONNX attribute type tamp understands. */
public sealed interface AttributeValue {
    /** An INT attribute. */
    record Int(long value) implements AttributeValue {}

    /** A FLOAT attribute. */
    record Float(float value) implements AttributeValue {}

    /** A STRING attribute (ONNX strings are bytes; tamp reads them as UTF-8). */
    record Str(String value) implements AttributeValue {
        public Str {
            Objects.requireNonNull(value);
        }
    }

    /** An INTS attribute. */
    record Ints(List<Long> values) implements AttributeValue {
        public Ints {
            values = List.copyOf(values);
        }
    }

    /** A FLOATS attribute. */
    record Floats(List<java.lang.Float> values) implements AttributeValue {
        public Floats {
            values = List.copyOf(values);
        }
    }

    /** A STRINGS attribute. */
    record Strs(List<String> values) implements AttributeValue {
        public Strs {
            values = List.copyOf(values);
        }
    }

    /** A TENSOR attribute, such as Constant's {@code value}. */
    record TensorValue(Tensor tensor) implements AttributeValue {
        public TensorValue {
            Objects.requireNonNull(tensor);
        }
    }
}
