package dev.balora.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The two options every adapter-consuming command shares (eval, export, merge). */
final class AdapterOptions {
    @Option(names = "--adapter", required = true, description = "adapter directory written by balora finetune")
    Path adapter;
    @Option(names = "--model", defaultValue = "minilm", description = "base model: minilm | bge-small | DIR (default: ${DEFAULT-VALUE})")
    String model;
}
