// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Fuzzed pidfile contents for {@link ReliabilityIT}, and a driver that runs {@code stop}, {@code force-stop},
 * {@code restart}, {@code reload} and {@code reopen-logs} of {@link ProbeApp} against each of them. The driver is
 * meant to run inside a new PID namespace ({@code unshare --pid --fork --mount-proc}), where a bug that signals a
 * recorded pid, or signals broadly, can only hit the driver's own processes; its bystanders ({@code sleep}s whose
 * pids it writes into the pidfile) must all be alive at the end.
 *
 * <p>Prints {@code VIOLATION ...} lines, then one {@code FUZZ inputs=N commands=N violations=N} line.
 */
final class HostilePidfiles {
    static final int MEGABYTES = 5;

    private HostilePidfiles() {
    }

    /** One pidfile content and a name for messages. */
    record Input(String name, byte[] content) {
    }

    /**
     * Returns {@code count} inputs: the fixed hostile ones first (most hostile first), then random ones.
     *
     * @param bystanders pids of live processes that are not the daemon (at least two)
     */
    static List<Input> inputs(Random random, int count, List<Long> bystanders) {
        long b0 = bystanders.get(0);
        long b1 = bystanders.get(1);
        List<Input> fixed = new ArrayList<>();
        fixed.add(text("live bystander with its real start time and boot id", b0 + "\n" + identity(b0) + "\n"));
        fixed.add(text("live bystander pid", Long.toString(b0)));
        fixed.add(text("own pid of the caller", Long.toString(ProcessHandle.current().pid())));
        fixed.add(text("1", "1"));
        fixed.add(text("0", "0"));
        fixed.add(text("-1", "-1"));
        fixed.add(new Input(MEGABYTES + " MB of the bystander's pid repeated",
                repeat(Long.toString(b0), MEGABYTES << 20)));
        fixed.add(new Input(MEGABYTES + " MB of random bytes", randomBytes(random, MEGABYTES << 20)));
        fixed.add(text("empty", ""));
        fixed.add(text("huge number", "99999999999999999999999999999999"));
        fixed.add(text("two bystander pids", b0 + " " + b1 + "\n" + b1 + "\n"));
        fixed.add(text("negative bystander pid", "-" + b0));
        fixed.add(text("Long.MAX_VALUE", Long.toString(Long.MAX_VALUE)));
        // "9223372036854775808" (Long.MAX_VALUE + 1) and other 19-digit numbers above Long.MAX_VALUE once crashed status,
        // stop and start (fixed): see ReliabilityIT.aPidfileRecordingANumberAboveLongMaxValueIsStaleAndKept
        fixed.add(text("2^31", "2147483648"));
        fixed.add(text("above pid_max", "4194305"));
        fixed.add(text("bystander pid with a forged start time", b1 + "\nstart=1 boot=" + bootId() + "\n"));
        fixed.add(text("hex", "0x1f"));
        fixed.add(text("padded", "  " + b1 + "  \n"));
        fixed.add(text("plus sign", "+" + b1));
        fixed.add(text("Arabic-Indic digits", "\u0661\u0662\u0663"));
        fixed.add(text("NUL bytes", "\0\0\0\0"));
        fixed.add(text("only newlines", "\n\n\n"));
        fixed.add(new Input("bystander pid then " + MEGABYTES + " MB of blanks",
                concat((b1 + "\n").getBytes(StandardCharsets.US_ASCII), repeat(" \n", MEGABYTES << 20))));
        fixed.add(new Input(MEGABYTES + " MB of newlines then the bystander pid",
                concat(repeat("\n", MEGABYTES << 20), Long.toString(b0).getBytes(StandardCharsets.US_ASCII))));
        List<Input> inputs = new ArrayList<>(fixed.subList(0, Math.min(count, fixed.size())));
        while (inputs.size() < count) {
            switch (random.nextInt(4)) {
                case 0 -> inputs.add(new Input("random bytes", randomBytes(random, 1 + random.nextInt(4096))));
                case 1 -> inputs.add(text("random digits",
                        Long.toString(random.nextLong()).repeat(1 + random.nextInt(3))));
                case 2 -> {
                    long pid = bystanders.get(random.nextInt(bystanders.size()));
                    inputs.add(text("bystander pid and junk", pid + (random.nextBoolean() ? "\n" : "")
                            + new String(randomBytes(random, random.nextInt(64)), StandardCharsets.ISO_8859_1)));
                }
                default -> inputs.add(text("random small number", Integer.toString(random.nextInt(70_000) - 100)));
            }
        }
        return inputs;
    }

    /**
     * Whether a stale file of {@code content} may be replaced or removed as a pidfile: at most 1024 bytes, and its
     * first line empty, a pid (1 to {@code Long.MAX_VALUE}, no sign nor leading zero) or only NUL bytes. Any other
     * file may be a program's own file that a wrong {@code --pidfile} named: it is kept.
     */
    static boolean isReplaceable(byte[] content) {
        if (content.length > 1024) {
            return false;
        }
        int end = 0;
        boolean nul = true;
        while (end < content.length && content[end] != '\n') {
            nul &= content[end] == 0;
            end++;
        }
        String line = new String(content, 0, Math.min(end, 64), StandardCharsets.ISO_8859_1).strip();
        if (nul || line.isEmpty()) {
            return true;
        }
        if (!line.matches("[1-9][0-9]{0,18}")) {
            return false;
        }
        try {
            Long.parseLong(line);
            return true;
        } catch (NumberFormatException aboveLongMax) {
            return false;
        }
    }

    private static Input text(String name, String content) {
        return new Input(name, content.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] repeat(String unit, int size) {
        byte[] bytes = new byte[size];
        byte[] u = unit.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i++) {
            bytes[i] = u[i % u.length];
        }
        return bytes;
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The second line earlier versions of daemonrunner wrote for {@code pid}: its real start time and this boot's id. */
    static String identity(long pid) {
        String[] stat = Daemons.stat(pid);
        return "start=" + (stat == null ? "0" : stat[19]) + " boot=" + bootId();
    }

    private static String bootId() {
        return Daemons.readOrEmpty(Path.of("/proc/sys/kernel/random/boot_id")).trim();
    }

    /**
     * Runs the fuzz loop. Arguments: the probe's directory, the seed, the number of inputs, then the java command
     * prefix that runs {@link ProbeApp} (java, its options, the class path, the class).
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        int count = Integer.parseInt(args[2]);
        List<String> probe = List.of(args).subList(3, args.length);
        List<Process> bystanders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            bystanders.add(new ProcessBuilder("sleep", "600").start());
        }
        Path pidfile = dir.resolve("probe.pid");
        int commands = 0;
        List<String> violations = new ArrayList<>();
        List<Input> inputs = inputs(random, count, bystanders.stream().map(Process::pid).toList());
        String[] stops = {"stop", "force-stop", "restart"};
        try {
            for (int i = 0; i < inputs.size(); i++) {
                Input input = inputs.get(i);
                Files.write(pidfile, input.content());
                List<String[]> steps = new ArrayList<>();
                steps.add(new String[] {"status", "1"});
                if (i % 3 == 0) {
                    steps.add(new String[] {"reload", "7"});
                    steps.add(new String[] {"reopen-logs", "7"});
                }
                String stop = stops[i % stops.length];
                boolean replaceable = isReplaceable(input.content());
                // restart's start refuses to replace a file that is not a pidfile: status 1, and nothing to stop
                steps.add(new String[] {stop, stop.equals("restart") && !replaceable ? "1" : "0"});
                if (stop.equals("restart")) {
                    steps.add(new String[] {"stop", "0"});
                }
                for (String[] step : steps) {
                    List<String> command = new ArrayList<>(probe);
                    command.addAll(List.of(step[0], "--dir", dir.toString()));
                    String result = run(command, dir);
                    commands++;
                    if (!result.startsWith("exit " + step[1] + " ")) {
                        violations.add("'" + step[0] + "' with a pidfile of " + input.name() + ": expected exit "
                                + step[1] + ", got " + result);
                    } else if (step[0].equals(stop) && !stop.equals("restart")
                            && !result.contains(replaceable ? "removed stale pidfile " + pidfile
                                    : "left " + pidfile + " as it is")) {
                        violations.add("'" + stop + "' with a pidfile of " + input.name() + " did not say it "
                                + (replaceable ? "removed the stale pidfile: " : "left it as it is: ") + result);
                    }
                    for (Process bystander : bystanders) {
                        if (!bystander.isAlive()) {
                            violations.add("bystander " + bystander.pid() + " died after '" + step[0]
                                    + "' with a pidfile of " + input.name());
                        }
                    }
                }
                if (replaceable && Files.exists(pidfile)) {
                    violations.add("pidfile left after stopping with a pidfile of " + input.name());
                } else if (!replaceable && !Arrays.equals(Files.readAllBytes(pidfile), input.content())) {
                    violations.add("a file that is not a pidfile was changed or removed: " + input.name());
                }
            }
        } finally {
            bystanders.forEach(Process::destroyForcibly);
        }
        violations.forEach(v -> System.out.println("VIOLATION " + v.replace('\n', ' ')));
        System.out.println("FUZZ inputs=" + inputs.size() + " commands=" + commands + " violations="
                + violations.size() + " pid=" + ProcessHandle.current().pid());
        System.exit(0);
    }

    /** Runs a command to its end (30 s at most) and returns {@code exit N out: ... err: ...}. */
    private static String run(List<String> command, Path dir) {
        Command.Result result = Command.of(command).in(dir).run(Duration.ofSeconds(30));
        if (!result.finished()) {
            return "wedged: did not finish within 30 s: " + String.join(" ", command.subList(command.size() - 3,
                    command.size()));
        }
        return "exit " + result.exit() + " out: " + result.out().strip() + " err: " + result.err().strip();
    }
}
