package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decoder side end to end through the CLI: pretrain a tiny model → BA-LoRA fine-tune → generate with the adapter. */
class CliLanguageModelTest {
    @Test
    void pretrainThenFinetuneWithBaLoraThenGenerate(@TempDir Path tmp) throws Exception {
        // Slices of two novels keep the BPE training and tokenization short.
        Path austen = CliEndToEndTest.repoData().resolve("austen");
        Path base = tmp.resolve("base.txt");
        Files.writeString(base, Files.readString(austen.resolve("emma.txt")).substring(0, 200_000));
        Path target = tmp.resolve("target.txt");
        Files.writeString(target, Files.readString(austen.resolve("persuasion.txt")).substring(0, 60_000));
        Path pre = tmp.resolve("pre");
        CliEndToEndTest.Result p = CliEndToEndTest.balora("pretrain", "--smoke", "--text", base.toString(), "--out", pre.toString());
        assertEquals(0, p.code(), p.err());
        Path model = pre.resolve("model");
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            assertTrue(Files.exists(model.resolve(f)), f);
        }
        assertTrue(p.out().contains("validation perplexity"), p.out());

        Path ft = tmp.resolve("ft");
        CliEndToEndTest.Result f = CliEndToEndTest.balora("finetune", "--task", "lm", "--model", model.toString(),
                "--method", "balora", "--max-steps", "12", "--train", target.toString(), "--out", ft.toString());
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().contains("validation perplexity"), f.out());
        assertTrue(Files.exists(ft.resolve("adapter/adapter_config.json")));
        // The NLG terms are logged; KL is on from the first step (cosine schedule), the others once two_phase starts.
        ObjectMapper json = new ObjectMapper();
        boolean sawKl = false;
        boolean sawLateTerms = false;
        for (String line : Files.readAllLines(ft.resolve("metrics.jsonl"))) {
            JsonNode n = json.readTree(line);
            JsonNode terms = n.path("terms");
            if (terms.has("consistency_kl") && n.path("step").asInt() > 1) {
                sawKl |= terms.get("consistency_kl").asDouble() != 0;
            }
            if (terms.has("diversity_topk_entropy") && n.path("lambdas").path("diversity_topk_entropy").asDouble() > 0) {
                sawLateTerms |= terms.get("diversity_topk_entropy").asDouble() != 0 && terms.get("svd_frobenius").asDouble() != 0;
            }
        }
        assertTrue(sawKl, "the KL consistency term moves off zero once the adapter has trained");
        assertTrue(sawLateTerms, "entropy and SVD terms are logged non-zero once their two_phase schedule starts");

        CliEndToEndTest.Result g = CliEndToEndTest.balora("generate", "--model", model.toString(), "--adapter",
                ft.resolve("adapter").toString(), "--prompt", "Anne", "--max-new-tokens", "8");
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().startsWith("Anne") && g.out().strip().length() > "Anne".length(), g.out());
    }
}
