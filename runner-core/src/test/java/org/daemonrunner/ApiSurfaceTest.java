// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Only {@code org.daemonrunner} is API: the module exports it alone, and no other package has public types outside {@code internal}. */
class ApiSurfaceTest {
    private static Path classes() throws URISyntaxException {
        return Path.of(DaemonRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void theModuleExportsOnlyTheApiPackageAndReadsJdkUnsupported() throws Exception {
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(classes().resolve("module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }

        assertThat(descriptor.name()).isEqualTo("org.daemonrunner");
        assertThat(descriptor.exports()).hasSize(1);
        ModuleDescriptor.Exports export = descriptor.exports().iterator().next();
        assertThat(export.source()).isEqualTo("org.daemonrunner");
        assertThat(export.isQualified()).isFalse();
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name).contains("jdk.unsupported");
    }

    @Test
    void everyPublicTopLevelTypeIsInTheApiPackageOrUnderInternal() throws Exception {
        Path root = classes();
        List<String> outside = new ArrayList<>();
        int seen = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = root.relativize(file).toString();
                if (!name.endsWith(".class") || name.contains("$") || name.endsWith("module-info.class")
                        || name.endsWith("package-info.class")) {
                    continue;
                }
                Class<?> type = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                        getClass().getClassLoader());
                seen++;
                String pkg = type.getPackageName();
                if (Modifier.isPublic(type.getModifiers()) && !pkg.equals("org.daemonrunner")
                        && !pkg.startsWith("org.daemonrunner.internal.")) {
                    outside.add(type.getName());
                }
            }
        }
        assertThat(seen).as("classes found under %s", root).isGreaterThan(20);
        assertThat(outside).as("public types outside org.daemonrunner and org.daemonrunner.internal.*").isEmpty();
    }

    @Test
    void noSourcePackageOtherThanTheApiAndInternalOnesExists() throws IOException, URISyntaxException {
        try (Stream<Path> dirs = Files.list(classes().resolve("org/daemonrunner"))) {
            assertThat(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()))
                    .containsExactly("internal");
        }
    }
}
