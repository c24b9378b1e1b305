package dev.tamp.model.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphTest {
    private static final ValueInfo X = new ValueInfo("x", DataType.FLOAT, Shape.of(1, 2));
    private static final ValueInfo Y = new ValueInfo("y", DataType.FLOAT, Shape.of(1, 2));

    private static Node node(String name, String op, List<String> in, List<String> out) {
        return new Node(name, op, in, out, Attributes.empty());
    }

    @Test
    void rejectsUseBeforeDefinitionDuplicateDefinitionsAndMissingOutputs() {
        assertThatThrownBy(() -> new Graph("g", 13, List.of(X), List.of(Y),
                List.of(node("b", "Relu", List.of("a"), List.of("y")), node("a", "Relu", List.of("x"), List.of("a"))),
                Map.of(), Map.of())).hasMessageContaining("node b reads a, which is not defined before it");
        assertThatThrownBy(() -> new Graph("g", 13, List.of(X), List.of(Y),
                List.of(node("a", "Relu", List.of("x"), List.of("y")), node("b", "Relu", List.of("x"), List.of("y"))),
                Map.of(), Map.of())).hasMessageContaining("tensor y is defined twice");
        assertThatThrownBy(() -> new Graph("g", 13, List.of(X), List.of(Y),
                List.of(node("a", "Relu", List.of("x"), List.of("z"))), Map.of(), Map.of()))
                .hasMessageContaining("graph output y is never computed");
    }

    @Test
    void isImmutable() {
        Graph g = new Graph("g", 13, List.of(X), List.of(Y), List.of(node("a", "Relu", List.of("x"), List.of("y"))),
                Map.of(), Map.of());
        assertThatThrownBy(() -> g.nodes().add(node("b", "Relu", List.of("y"), List.of("z"))))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> g.weights().put("w", Weight.dense("w", Tensor.scalar(1f))))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void dimsAndShapesValidateAndPrint() {
        assertThat(new Shape(List.of(Dim.symbolic("N"), Dim.of(3), Dim.unknown())).toString()).isEqualTo("[Nx3x?]");
        assertThat(Shape.of(2, 3).elementCount()).isEqualTo(6);
        assertThat(new Shape(List.of(Dim.symbolic("N"))).elementCount()).isEqualTo(-1);
        assertThatThrownBy(() -> new Dim(3, "N")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tensor.ofFloats(new int[] {2, 2}, new float[3]))
                .hasMessageContaining("needs 4 elements, data has 3");
    }

    @Test
    void denseWeightReportsItsStorage() {
        Weight w = Weight.dense("w", Tensor.ofFloats(new int[] {3, 4}, new float[12]));
        assertThat(w.elementCount()).isEqualTo(12);
        assertThat(w.representation().storedBytes()).isEqualTo(48);
        assertThat(w.representation().kind()).isEqualTo("dense");
        assertThat(w.representation().dims()).containsExactly(3, 4);
    }
}
