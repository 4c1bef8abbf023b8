package dev.balora.models.bert;

import dev.balora.core.nn.Dropout;
import dev.balora.core.nn.Embedding;
import dev.balora.core.nn.LayerNorm;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * HF's {@code embeddings}: word + absolute position + token type embeddings, then LayerNorm and dropout.
 * Children: {@code word_embeddings} [V, d], {@code position_embeddings} [P, d], {@code token_type_embeddings}
 * [types, d], {@code LayerNorm}, {@code dropout}.
 */
public final class BertEmbeddings extends Module {
    BertEmbeddings(BertConfig c, BertOptions o, SplittableRandom seeds) {
        registerModule("word_embeddings", new Embedding(c.vocabSize(), c.hidden(), o.dtype(), seeds.nextLong()));
        registerModule("position_embeddings", new Embedding(c.maxPositions(), c.hidden(), o.dtype(), seeds.nextLong()));
        registerModule("token_type_embeddings", new Embedding(c.typeVocab(), c.hidden(), o.dtype(), seeds.nextLong()));
        registerModule("LayerNorm", new LayerNorm(c.hidden(), c.layerNormEps(), o.dtype()));
        registerModule("dropout", new Dropout(o.hiddenDropout(), seeds.nextLong()));
    }

    /**
     * @param inputIds     [N·T] token ids, row-major
     * @param tokenTypeIds [N·T] segment ids, or null for all zeros
     * @return [N, T, d]
     */
    public Tensor forward(int[] inputIds, int[] tokenTypeIds, int n, int t) {
        Embedding positions = Children.get(this, "position_embeddings", Embedding.class);
        if (t > positions.weight().dim(0)) {
            throw new BertModelException("BertEmbeddings: sequence length t=" + t + " exceeds maxPositions="
                    + positions.weight().dim(0));
        }
        Embedding types = Children.get(this, "token_type_embeddings", Embedding.class);
        Tensor word = Children.get(this, "word_embeddings", Embedding.class).forward(inputIds, n, t);
        // Positions 0…T−1 are the first T rows of the table: a slice, not a gather (no index array to upload to a
        // device every step). They are [T, d] and broadcast over the batch; with no segment ids (or all zero) the
        // type row 0 joins them first, so only one full-size [N, T, d] addition is needed.
        Tensor pos = Ops.slice(positions.weight(), 0, 0, t);
        Tensor x;
        if (tokenTypeIds == null || allZero(tokenTypeIds)) {
            x = Ops.add(word, Ops.add(pos, Ops.slice(types.weight(), 0, 0, 1)));
        } else {
            x = Ops.add(Ops.add(word, pos), types.forward(tokenTypeIds, n, t));
        }
        return call("dropout", call("LayerNorm", x));
    }

    private static boolean allZero(int[] ids) {
        for (int id : ids) {
            if (id != 0) {
                return false;
            }
        }
        return true;
    }
}
