// SPDX-License-Identifier: Apache-2.0
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;

/**
 * The sample daemon's work without the runner: appends {@code Processing at <time>} to DATA every INTERVAL
 * seconds, and {@code Stopped at <time>} from a shutdown hook (SIGTERM).
 *
 * <pre>java -cp DIR PlainApp DATA INTERVAL_SECONDS</pre>
 */
public class PlainApp {
    public static void main(String[] args) throws InterruptedException {
        Path data = Path.of(args[0]);
        long intervalMillis = Math.round(Double.parseDouble(args.length > 1 ? args[1] : "5") * 1000);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> append(data, "Stopped at " + LocalDateTime.now())));
        System.out.println("plain app " + ProcessHandle.current().pid() + " appending to " + data + " every "
                + intervalMillis + " ms");
        while (true) {
            append(data, "Processing at " + LocalDateTime.now());
            Thread.sleep(intervalMillis);
        }
    }

    static void append(Path data, String line) {
        try {
            Files.writeString(data, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cannot append to " + data + ": " + e);
        }
    }
}
