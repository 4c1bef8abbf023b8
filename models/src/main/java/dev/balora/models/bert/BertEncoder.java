package dev.balora.models.bert;

import dev.balora.core.nn.Module;
import dev.balora.core.nn.ModuleList;
import dev.balora.core.ops.RowMask;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** HF's {@code encoder}: the stack of blocks under {@code layer.0 … layer.(L−1)}. */
public final class BertEncoder extends Module {
    BertEncoder(BertConfig c, BertOptions o, SplittableRandom seeds) {
        List<BertLayer> layers = new ArrayList<>(c.layers());
        for (int i = 0; i < c.layers(); i++) {
            layers.add(new BertLayer(c, o, seeds));
        }
        registerModule("layer", new ModuleList<>(layers));
    }

    /** @param x [N, T, d] @param mask padding mask of the scores @return [N, T, d] */
    public Tensor forward(Tensor x, RowMask mask) {
        ModuleList<?> layers = Children.get(this, "layer", ModuleList.class);
        Tensor h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = Children.get(layers, Integer.toString(i), BertLayer.class).forward(h, mask);
        }
        return h;
    }
}
