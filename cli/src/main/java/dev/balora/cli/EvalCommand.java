package dev.balora.cli;

import dev.balora.core.train.Evaluation;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.finetune.EncodedDataset;
import dev.balora.models.finetune.ClassifierEvaluation;
import dev.balora.models.finetune.ClassifierPredictions;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code balora eval}: evaluate a fine-tuned adapter on labelled data. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a fine-tuned adapter on labelled data.")
final class EvalCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    AdapterOptions source = new AdapterOptions();
    @Option(names = "--eval", required = true, description = "labelled data: .tsv, .csv or .jsonl")
    Path eval;
    @Option(names = "--text-column", defaultValue = "text")
    String textColumn;
    @Option(names = "--label-column", defaultValue = "label")
    String labelColumn;
    @Option(names = "--predictions", description = "also write per-example predictions to this TSV "
            + "(index, gold, predicted, p_<label>...)")
    Path predictions;
    @Option(names = "--max-length", defaultValue = "128", description = "tokens per example (default: ${DEFAULT-VALUE})")
    int maxLength;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--max-length", maxLength, 3);
        if (predictions != null) {
            OutputPaths.requireWritableParent(predictions, "--predictions"); // before the evaluation, not after it
        }
        PretrainedEncoder enc = PretrainedEncoder.load(source.model);
        OptionChecks.fitsPositions(maxLength, enc.config().maxPositions(), enc.name());
        AdapterModels.Loaded loaded = AdapterModels.load(enc, source.adapter);
        TextClassificationDataset data = DataFiles.read(eval, textColumn, labelColumn, loaded.labels());
        EncodedDataset encoded = new EncodedDataset(data, enc.tokenizer(), maxLength);
        ClassifierPredictions p = ClassifierEvaluation.predict(loaded.model(), encoded, 64);
        if (predictions != null) {
            PredictionsFile.write(predictions, p, loaded.labels().labels());
        }
        Evaluation.Classification ev = p.evaluation();
        Map<String, Double> m = ev.metrics();
        System.out.printf(Locale.ROOT, "%s on %s (%d rows): accuracy %.4f, macro-F1 %.4f, MCC %.4f%n", source.adapter, eval,
                data.size(), m.get("accuracy"), m.get("macro_f1"), m.get("mcc"));
        return 0;
    }
}
