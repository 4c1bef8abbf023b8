package dev.balora.models.bert;

/**
 * Hyper-parameters of a BERT encoder, named after Hugging Face's {@code config.json} fields.
 * (Stub; the real version is written elsewhere.)
 */
public record BertConfig(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions,
        int typeVocab, double layerNormEps, String hiddenAct) {

    /** all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads, erf GELU. */
    public static BertConfig miniLmL6() {
        return new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, "gelu");
    }
}
