// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.daemonrunner.internal.proc.ProcessTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArgumentEncodingTest {
    @Test
    void splitKeepsEmptyArgumentsAndAnUnterminatedLastOne(@TempDir Path dir) throws IOException {
        Path cmdline = Files.write(dir.resolve("cmdline"), "java\0\0-cp\0x".getBytes(StandardCharsets.US_ASCII));
        List<byte[]> split = ProcessTable.commandLineBytes(cmdline);
        assertThat(split).extracting(b -> new String(b, StandardCharsets.US_ASCII)).containsExactly("java", "", "-cp",
                "x");
        assertThat(ProcessTable.commandLineBytes(Files.write(dir.resolve("empty"), new byte[0]))).isEmpty();
    }

    @Test
    void escapedShowsEveryByteThatIsNotPrintableAscii() {
        assertThat(ArgumentEncoding.escaped("h\u00e9\\\n".getBytes(StandardCharsets.UTF_8))).isEqualTo("h\\xc3\\xa9\\x5c\\x0a");
    }

    @Test
    void thisJvmsOwnArgumentsAreWhatItWasGiven() {
        // the test JVM's command line, read back as Java decoded it: nothing lost, so nothing to say
        List<String> arguments = List.of(ProcessHandle.current().info().arguments().orElseThrow());
        assertThat(ArgumentEncoding.lossyOnThisCommandLine(arguments)).isEmpty();
        // arguments that are not its last ones (main's, from an argument file) cannot be compared: no claim
        assertThat(ArgumentEncoding.lossyOnThisCommandLine(List.of("not", "these"))).isEmpty();
    }

    @Test
    void unencodableNamesTheFirstArgumentTheEncodingLacks() {
        assertThat(ArgumentEncoding.unencodable(List.of("plain", "-Dx=1"))).isEmpty();
        // a lone surrogate: no encoding has it, whatever the locale this test runs in
        assertThat(ArgumentEncoding.unencodable(List.of("plain", "a\uD800b", "c\uD800"))).get().asString()
                .startsWith("the argument \"a?b\" (UTF-8) has characters that " + ArgumentEncoding.childCharset())
                .contains("so it cannot be passed on unchanged; ");
    }
}
