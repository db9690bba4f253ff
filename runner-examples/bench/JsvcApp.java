// SPDX-License-Identifier: Apache-2.0
import org.apache.commons.daemon.Daemon;
import org.apache.commons.daemon.DaemonContext;

/**
 * PlainApp's work as an Apache Commons Daemon class, for jsvc: {@code jsvc ... JsvcApp DATA INTERVAL_SECONDS}.
 * start() runs the loop on a thread; stop() interrupts it, waits for it and appends the {@code Stopped at} line.
 */
public class JsvcApp implements Daemon {
    private String[] args;
    private Thread worker;

    @Override
    public void init(DaemonContext context) {
        args = context.getArguments();
    }

    @Override
    public void start() {
        java.nio.file.Path data = java.nio.file.Path.of(args[0]);
        long intervalMillis = Math.round(Double.parseDouble(args.length > 1 ? args[1] : "5") * 1000);
        worker = new Thread(() -> {
            try {
                while (true) {
                    PlainApp.append(data, "Processing at " + java.time.LocalDateTime.now());
                    Thread.sleep(intervalMillis);
                }
            } catch (InterruptedException stopRequested) {
                PlainApp.append(data, "Stopped at " + java.time.LocalDateTime.now());
            }
        }, "jsvcapp-worker");
        worker.start();
    }

    @Override
    public void stop() throws InterruptedException {
        worker.interrupt();
        worker.join();
    }

    @Override
    public void destroy() {
    }
}
