package dev.tamp.model.ir;

import java.util.Objects;

/** A model as tamp sees it: one graph plus where it came from. */
public record Model(Graph graph, String producerName, String producerVersion, long irVersion) {
    public Model {
        Objects.requireNonNull(graph, "graph");
        producerName = producerName == null ? "" : producerName;
        producerVersion = producerVersion == null ? "" : producerVersion;
    }
}
