package dev.synctalk.gpu.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class CudnnShimTest {

    private static final String JCUDNN_NATIVE = "/lib/libJCudnn-11.7.0-linux-x86_64.so";

    private static Set<String> jcudnnImports() throws IOException {
        try (InputStream in = CudnnShimTest.class.getResourceAsStream(JCUDNN_NATIVE)) {
            assertNotNull(in, "jcudnn-natives (linux-x86_64) must be on the test classpath: " + JCUDNN_NATIVE);
            Set<String> imports = new TreeSet<>();
            for (String name : new ElfDynamicSymbols(in.readAllBytes()).symbols(true)) {
                if (name.startsWith("cudnn")) {
                    imports.add(name);
                }
            }
            return imports;
        }
    }

    private static Set<String> committedSymbolList() throws IOException {
        Path def = Path.of(System.getProperty("synctalk.repo.dir", ".."), "gpu/src/main/c/cudnn_imports.def");
        if (!Files.exists(def)) {
            def = Path.of("src/main/c/cudnn_imports.def");
        }
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("SHIM_SYMBOL\\((\\w+)\\)").matcher(Files.readString(def));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void committedSymbolListIsExactlyWhatJCudnnImports() throws IOException {
        Set<String> imports = jcudnnImports();
        assertTrue(imports.size() > 200, "expected JCudnn 11.7.0 to import a few hundred cudnn symbols, got "
                + imports.size());
        assertEquals(imports, committedSymbolList(),
                "gpu/src/main/c/cudnn_imports.def is out of date: run gpu/src/main/c/update-cudnn-imports.sh");
    }

    @Test
    void builtShimExportsEveryImportUnderTheCudnn8SonameAndVersionNode() throws IOException {
        Path shim = Path.of("target/classes/native/linux-x86_64/libcudnn.so.8");
        assumeTrue(Files.exists(shim), "shim not built here (needs gcc on Linux x86-64)");
        ElfDynamicSymbols elf = new ElfDynamicSymbols(Files.readAllBytes(shim));
        assertEquals("libcudnn.so.8", elf.soname());
        assertTrue(elf.versionDefinitions().contains("libcudnn.so.8"), "version nodes: " + elf.versionDefinitions());
        Set<String> missing = new TreeSet<>(jcudnnImports());
        missing.removeAll(elf.symbols(false));
        assertTrue(missing.isEmpty(), "shim lacks " + missing);
    }

    @Test
    void shimResourceIsInTheJarWhenBuilt() {
        Path shim = Path.of("target/classes/native/linux-x86_64/libcudnn.so.8");
        assumeTrue(Files.exists(shim), "shim not built here (needs gcc on Linux x86-64)");
        assertNotNull(CudnnShimTest.class.getResource(CudnnLoader.SHIM_RESOURCE));
    }
}
