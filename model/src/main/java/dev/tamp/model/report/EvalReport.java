package dev.tamp.model.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Objects;

/** The result of {@code tamp eval}: top-1 accuracy and mean cross-entropy of a model on a labelled data set. */
public record EvalReport(String model, String data, int images, int correct, double meanLoss) {
    public EvalReport {
        Objects.requireNonNull(model);
        Objects.requireNonNull(data);
        if (images < 0 || correct < 0 || correct > images) {
            throw new IllegalArgumentException("invalid counts " + correct + "/" + images);
        }
    }

    public double accuracy() {
        return images == 0 ? 0 : (double) correct / images;
    }

    public String renderText() {
        return String.format(Locale.ROOT, "model    %s%ndata     %s (%,d images)%ntop-1    %.2f %% (%,d correct)%n"
                + "loss     %.5f (mean cross-entropy)%n", model, data, images, 100 * accuracy(), correct, meanLoss);
    }

    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("model", model);
        root.put("data", data);
        root.put("images", images);
        root.put("correct", correct);
        root.put("accuracy", accuracy());
        root.put("loss", meanLoss);
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
