package org.daemonrunner.cli;

import java.util.Arrays;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
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
        if (args == null || args.length == 0 || args[0] == null || args[0].isEmpty()) {
            throw new InvalidActionException("No action given.");
        }
        Action action = Action.parse(args[0]);
        CommandLine line;
        try {
            line = new DefaultParser().parse(optionsFor(action), Arrays.copyOfRange(args, 1, args.length));
        } catch (ParseException e) {
            throw new InvalidActionException(e.getMessage() + " (for '" + action.actionName() + "').");
        }
        if (!line.getArgList().isEmpty()) {
            throw new InvalidActionException("Unexpected argument '" + line.getArgList().get(0) + "' after '"
                    + action.actionName() + "'.");
        }
        return action;
    }

    private static Options optionsFor(Action action) {
        return new Options();
    }

    /** Returns the usage text, naming every action, for the program called {@code program}. */
    public static String usage(String program) {
        StringBuilder text = new StringBuilder("Usage: ").append(program).append(' ');
        StringBuilder list = new StringBuilder();
        for (Action action : Action.values()) {
            text.append(action.ordinal() == 0 ? "" : "|").append(action.actionName());
            list.append(String.format("%n  %-8s %s", action.actionName(), action.description()));
        }
        return text.append(list).toString();
    }
}
