package dev.balora.models.finetune;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.models.bert.BertConfig;
import dev.balora.models.bert.BertForSequenceClassification;
import dev.balora.models.data.LabelVocabulary;
import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.tokenizer.Tokenizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Per-example predictions of a tiny random classifier: probabilities, argmax, batching, metrics and mode. */
class ClassifierEvaluationTest {
    static final String[] WORDS = {"tea", "bitter", "sweet", "coffee", "stale", "fresh", "box", "great", "never", "again"};

    static EncodedDataset data(int n, int classes, long seed) {
        Random rnd = new Random(seed);
        List<TextClassificationDataset.Example> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0, len = 1 + rnd.nextInt(9); w < len; w++) { // lengths 1..9: batches need padding
                sb.append(WORDS[rnd.nextInt(WORDS.length)]).append(' ');
            }
            ex.add(new TextClassificationDataset.Example(sb.toString().trim(), rnd.nextInt(classes)));
        }
        LabelVocabulary labels = LabelVocabulary.of(List.of("a", "b", "c").subList(0, classes));
        return new EncodedDataset(new TextClassificationDataset("random", ex, labels), Tokenizers.miniLm(), 16);
    }

    static BertForSequenceClassification model(int classes) {
        return new BertForSequenceClassification(new BertConfig(30522, 12, 1, 3, 17, 32, 2, 1e-12, "gelu"), classes);
    }

    @Test
    void probabilitiesAreASoftmaxWhoseArgmaxIsThePrediction() {
        EncodedDataset d = data(17, 3, 1);
        ClassifierPredictions p = ClassifierEvaluation.predict(model(3), d, 5); // 5 + 5 + 5 + 2: a partial last batch
        assertEquals(17, p.size());
        assertEquals(3, p.classes());
        for (int i = 0; i < 17; i++) {
            assertEquals(d.label(i), p.labels()[i], "gold label of example " + i);
            double sum = 0;
            int best = 0;
            for (int c = 0; c < 3; c++) {
                assertTrue(p.probability(i, c) > 0 && p.probability(i, c) < 1, "example " + i + " class " + c);
                sum += p.probability(i, c);
                best = p.probability(i, c) > p.probability(i, best) ? c : best;
            }
            assertEquals(1.0, sum, 1e-6, "example " + i);
            assertEquals(best, p.predictions()[i], "example " + i);
        }
    }

    @Test
    void batchSizeDoesNotChangePredictions() {
        EncodedDataset d = data(13, 2, 7);
        BertForSequenceClassification m = model(2);
        ClassifierPredictions one = ClassifierEvaluation.predict(m, d, 1);
        ClassifierPredictions all = ClassifierEvaluation.predict(m, d, 13);
        for (int i = 0; i < 13; i++) {
            for (int c = 0; c < 2; c++) {
                assertEquals(one.probability(i, c), all.probability(i, c), 1e-5, "padding must not move example " + i);
            }
        }
    }

    @Test
    void evaluateIsTheAggregateOfPredictAndRestoresTrainingMode() {
        EncodedDataset d = data(33, 3, 3);
        BertForSequenceClassification m = model(3);
        m.train();
        ClassifierPredictions p = ClassifierEvaluation.predict(m, d, 7);
        assertTrue(m.isTraining(), "train mode restored");
        assertEquals(p.evaluation().metrics(), ClassifierEvaluation.evaluate(m, d, 7).metrics());
        int correct = 0;
        for (int i = 0; i < 33; i++) {
            correct += p.labels()[i] == p.predictions()[i] ? 1 : 0;
        }
        assertEquals(correct / 33.0, p.evaluation().metrics().get("accuracy"), 1e-12);
    }

    @Test
    void mismatchedShapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ClassifierPredictions(new int[3], new int[3], new float[8], 3));
        assertThrows(IllegalArgumentException.class, () -> new ClassifierPredictions(new int[3], new int[2], new float[9], 3));
    }
}
