// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The project can be adopted: it has its licence, and every source file says which it is under. */
class LicenseTest {
    private static final String SPDX = "SPDX-License-Identifier: Apache-2.0";
    private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();

    @Test
    void theRepositoryHasTheApacheLicense() throws IOException {
        assertThat(Files.readString(ROOT.resolve("LICENSE"))).contains("Apache License", "Version 2.0, January 2004");
    }

    @Test
    void everySourceFileCarriesAnSpdxLine() throws IOException {
        List<Path> sources = new ArrayList<>();
        for (String module : List.of("runner-core", "runner-examples")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module))) {
                files.filter(f -> !f.toString().contains("/target/"))
                        .filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".sh")
                                || f.getFileName().toString().equals("pom.xml"))
                        .forEach(sources::add);
            }
        }
        sources.add(ROOT.resolve("pom.xml"));
        sources.add(ROOT.resolve(".ci/run"));
        List<Path> without = new ArrayList<>();
        for (Path source : sources) {
            List<String> head = Files.readAllLines(source, StandardCharsets.UTF_8);
            if (!String.join("\n", head.subList(0, Math.min(3, head.size()))).contains(SPDX)) {
                without.add(ROOT.relativize(source));
            }
        }
        assertThat(sources).as("source files found under %s", ROOT).hasSizeGreaterThan(100);
        assertThat(without).as("source files without '%s' in their first lines", SPDX).isEmpty();
    }
}
