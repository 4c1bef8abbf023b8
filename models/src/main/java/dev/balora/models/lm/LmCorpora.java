package dev.balora.models.lm;

import dev.balora.models.data.Austen;
import java.util.ArrayList;
import java.util.List;

/**
 * The texts balora's language-model runs use by default, both from the shipped Austen novels ({@link Austen}; public
 * domain, packaged by the MIT-licensed R package janeaustenr):
 * <ul>
 *   <li>pre-training: five novels (Sense and Sensibility, Pride and Prejudice, Mansfield Park, Emma, Northanger
 *       Abbey), about 3.56 MB;</li>
 *   <li>fine-tuning: <em>Persuasion</em> (about 467 KB), held out from pre-training, so fine-tuning adapts the model to
 *       a text it has never seen (same author and period: a mild, honest domain shift).</li>
 * </ul>
 * The Debian {@code fortunes} collection was considered as a fine-tuning text and rejected: it mixes many sources
 * whose individual licences are not recorded, so balora does not ship it.
 */
public final class LmCorpora {
    /** The novel held out of pre-training for fine-tuning. */
    public static final String FINE_TUNE_NOVEL = "persuasion";

    private LmCorpora() {}

    /** @return the texts of the five pre-training novels, in publication order */
    public static List<String> pretraining() {
        List<String> out = new ArrayList<>();
        for (Austen.Novel n : Austen.novels()) {
            if (!n.name().equals(FINE_TUNE_NOVEL)) {
                out.add(n.text());
            }
        }
        return out;
    }

    /** @return the fine-tuning text: Persuasion, one document */
    public static List<String> fineTuning() {
        return List.of(Austen.novel(FINE_TUNE_NOVEL).text());
    }
}
