package dev.balora.models.decoder;

/**
 * One instruction-tuning record, as in Alpaca-style JSONL: {@code {"instruction": ..., "input": ..., "output": ...}}.
 *
 * @param instruction the task (non-empty)
 * @param input       optional context ("" when absent)
 * @param output      the response the model learns to produce (non-empty)
 */
public record InstructionExample(String instruction, String input, String output) {
    /** Alpaca's prompt: the instruction (and input, when present) under headings, ending where the response starts. */
    public String alpacaPrompt() {
        return input.isEmpty()
                ? "### Instruction:\n" + instruction + "\n\n### Response:\n"
                : "### Instruction:\n" + instruction + "\n\n### Input:\n" + input + "\n\n### Response:\n";
    }
}
