package dev.balora.models;

import java.util.List;

/**
 * A model's weights do not fit its configuration: tensors missing, unexpected or of the wrong shape. Loading is
 * strict, as PyTorch's {@code load_state_dict(strict=True)} and the PEFT adapter loader are: a renamed tensor or a
 * {@code num_hidden_layers} that disagrees with the file must not leave part of the model at its random
 * initialisation. The message names the weights file and lists every difference.
 */
public final class WeightsFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source   the weights file (or artifact name)
     * @param config   the configuration the model was built from
     * @param problems every difference, e.g. {@code missing encoder.layer.5.output.dense.weight}
     */
    public WeightsFormatException(String source, String config, List<String> problems) {
        super(source + ": the weights do not match " + config + " (" + problems.size() + " difference"
                + (problems.size() == 1 ? "" : "s") + "): " + String.join("; ", problems));
    }
}
