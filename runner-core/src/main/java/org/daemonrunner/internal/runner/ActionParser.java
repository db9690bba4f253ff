// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.daemonrunner.Action;
import org.daemonrunner.InvalidActionException;

/** Turns the runner's arguments into an {@link Action}, and writes the usage text. */
public final class ActionParser {
    private ActionParser() {
    }

    /**
     * Returns the action named by {@code args[0]}, checking that nothing follows it that the action does not take.
     *
     * @throws InvalidActionException when the action is missing or unknown, or an option or argument is not known
     */
    public static Action parse(String... args) {
        return parseCommand(args).action();
    }

    /**
     * Returns the action named by {@code args[0]} and the options that follow it.
     *
     * @throws InvalidActionException when the action is missing or unknown, an option or argument is not known,
     *     or an option is given twice
     */
    public static ParsedCommand parseCommand(String... args) {
        if (args == null || args.length == 0 || args[0] == null || args[0].isEmpty()) {
            throw new InvalidActionException("No action given.");
        }
        if (args[0].startsWith("--")) { // an option where the action should be: say where it goes, if it is one
            Optional<String> misplaced = optionBeforeAction(args[0], Arrays.asList(args).subList(1, args.length));
            if (misplaced.isPresent()) {
                throw new InvalidActionException(misplaced.get());
            }
        }
        Action action = Action.parse(args[0]);
        CommandLine line;
        if (args.length == 1) {
            return ParsedCommand.of(action);
        }
        try {
            line = new DefaultParser().parse(optionsFor(action), Arrays.copyOfRange(args, 1, args.length));
        } catch (ParseException e) {
            throw new InvalidActionException(e.getMessage() + " (for '" + action.actionName() + "').");
        }
        List<String> given = new ArrayList<>();
        for (Option option : line.getOptions()) { // one for each time it was given
            if (given.contains(option.getLongOpt())) {
                throw new InvalidActionException("Option --" + option.getLongOpt() + " given twice (for '"
                        + action.actionName() + "'): give it once.");
            }
            given.add(option.getLongOpt());
        }
        if (!line.getArgList().isEmpty()) {
            throw new InvalidActionException("Unexpected argument '" + line.getArgList().get(0) + "' after '"
                    + action.actionName() + "'.");
        }
        Optional<Duration> timeout = Optional.empty();
        if (line.hasOption("timeout")) {
            timeout = Optional.of(duration(line.getOptionValue("timeout")));
        }
        String unitType = line.getOptionValue("type", "notify");
        if (!unitType.equals("notify") && !unitType.equals("forking")) {
            throw new InvalidActionException("Not a unit type: '" + unitType + "' (write notify or forking).");
        }
        return new ParsedCommand(action, timeout, line.hasOption("force") || action == Action.FORCE_STOP,
                line.hasOption("json"), unitType, line.hasOption("network-online"));
    }

    /**
     * Says where {@code arg} belongs when it is an action's own option given before the action ({@code --json
     * status}): {@code --json is an option of status: write 'status --json'.} The action is the first of
     * {@code after} that takes the option, else the first action that does; the option's value, if it takes one,
     * is the word after it.
     *
     * @param arg a word found where the action should be
     * @param after the words after it
     * @return the message, or empty when {@code arg} is no action's option
     */
    public static Optional<String> optionBeforeAction(String arg, List<String> after) {
        if (!arg.startsWith("--")) {
            return Optional.empty();
        }
        int equals = arg.indexOf('=');
        String name = arg.substring(2, equals > 0 ? equals : arg.length());
        List<String> owners = new ArrayList<>();
        Action action = null;
        Option option = null;
        for (Action candidate : Action.values()) {
            Option own = optionsFor(candidate).getOption(name);
            if (own != null && name.equals(own.getLongOpt())) {
                owners.add(candidate.actionName());
                option = own;
                if (action == null || after.contains(candidate.actionName()) && !after.contains(action.actionName())) {
                    action = candidate;
                }
            }
        }
        if (action == null) {
            return Optional.empty();
        }
        String written = arg;
        if (option.hasArg() && equals < 0) {
            written += " " + (after.isEmpty() || after.get(0).startsWith("-") || owners.contains(after.get(0))
                    ? option.getArgName() : after.get(0));
        }
        String suggestion = "'" + action.actionName() + " " + written + "'";
        return Optional.of(owners.size() == 1
                ? "--" + name + " is an option of " + owners.get(0) + ": write " + suggestion + "."
                : "--" + name + " is an option of " + String.join(", ", owners.subList(0, owners.size() - 1))
                        + " and " + owners.get(owners.size() - 1) + ": write it after the action, as in " + suggestion
                        + ".");
    }

    /**
     * Parses a duration as operators write it: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or a plain
     * number of seconds.
     *
     * @throws InvalidActionException when it is not one
     */
    public static Duration duration(String text) {
        Matcher m = Pattern.compile("(\\d{1,9})(ms|s|m|h)?").matcher(text.trim());
        if (!m.matches()) {
            throw new InvalidActionException("Not a duration: '" + text + "' (write e.g. 500ms, 10s, 2m).");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        switch (unit) {
            case "ms":
                return Duration.ofMillis(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            default:
                return Duration.ofSeconds(n);
        }
    }

    /** Returns whether {@code longName} is one of the runner's options. */
    public static boolean isRunnerOption(String longName) {
        return "timeout".equals(longName) || "force".equals(longName) || "json".equals(longName)
                || "type".equals(longName) || "network-online".equals(longName);
    }

    /** Returns every option the runner takes, for any action: for an app that parses its own options too. */
    public static Options allOptions() {
        Options all = new Options();
        for (Action action : Action.values()) {
            for (Option option : optionsFor(action).getOptions()) { // a loop, not a lambda: no bootstrap at start-up
                if (!all.hasLongOption(option.getLongOpt())) {
                    all.addOption(option);
                }
            }
        }
        return all;
    }

    private static Options optionsFor(Action action) {
        Options options = new Options();
        switch (action) {
            case STOP:
            case RESTART:
            case FORCE_STOP:
                options.addOption(Option.builder().longOpt("timeout").hasArg().argName("DURATION")
                        .desc("how long to wait after SIGTERM (default: the app's stop timeout)").build());
                if (action != Action.FORCE_STOP) {
                    options.addOption(Option.builder().longOpt("force")
                            .desc("SIGKILL, after a thread dump, when the timeout passes").build());
                }
                break;
            case STATUS:
                options.addOption(Option.builder().longOpt("json").desc("print one JSON object").build());
                break;
            case SYSTEMD_UNIT:
                options.addOption(Option.builder().longOpt("type").hasArg().argName("TYPE")
                        .desc("notify (default: run, which tells systemd when it is ready) or forking (start)").build());
                options.addOption(Option.builder().longOpt("network-online")
                        .desc("start after network-online.target").build());
                break;
            default:
                break;
        }
        return options;
    }

    /** Returns the usage text, naming every action, for the program called {@code program}. */
    public static String usage(String program) {
        StringBuilder text = new StringBuilder("Usage: ").append(program).append(' ');
        for (Action action : Action.values()) {
            text.append(action.ordinal() == 0 ? "" : "|").append(action.actionName());
        }
        return text.append(actionList()).toString();
    }

    /** Returns one line for each action, each starting with a line break: its name, what it does, its options. */
    public static String actionList() {
        StringBuilder list = new StringBuilder();
        for (Action action : Action.values()) {
            list.append(String.format("%n  %-12s %s", action.actionName(), action.description()));
        }
        return list.toString();
    }
}
