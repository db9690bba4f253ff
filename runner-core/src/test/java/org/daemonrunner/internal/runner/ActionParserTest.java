// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.daemonrunner.Action;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.InvalidActionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ActionParserTest {

    private static InvalidActionException parseFails(String... args) {
        InvalidActionException e = catchThrowableOfType(InvalidActionException.class, () -> ActionParser.parse(args));
        assertThat(e).as("ActionParser.parse should throw InvalidActionException").isNotNull();
        assertThat(e.exitStatus()).isEqualTo(ExitStatus.USAGE).isEqualTo(2);
        return e;
    }

    @ParameterizedTest
    @EnumSource(Action.class)
    void parsesEveryActionByItsLowerCaseName(Action action) {
        assertThat(ActionParser.parse(action.actionName())).isSameAs(action);
    }

    @Test
    void anOptionGivenTwiceIsAUsageErrorNamingIt() {
        assertThat(parseFails("systemd-unit", "--type", "forking", "--type", "notify").getMessage())
                .isEqualTo("Option --type given twice (for 'systemd-unit'): give it once.");
        assertThat(parseFails("stop", "--timeout=5s", "--timeout", "9s").getMessage())
                .isEqualTo("Option --timeout given twice (for 'stop'): give it once.");
        InvalidActionException flag = parseFails("status", "--json", "--json");
        assertThat(flag.getMessage()).isEqualTo("Option --json given twice (for 'status'): give it once.");
        assertThat(flag.exitStatus()).isEqualTo(ExitStatus.USAGE);
    }

    @Test
    void parsesTheFiveActions() {
        assertThat(ActionParser.parse("start")).isEqualTo(Action.START);
        assertThat(ActionParser.parse("stop")).isEqualTo(Action.STOP);
        assertThat(ActionParser.parse("restart")).isEqualTo(Action.RESTART);
        assertThat(ActionParser.parse("status")).isEqualTo(Action.STATUS);
        assertThat(ActionParser.parse("run")).isEqualTo(Action.RUN);
    }

    @Test
    void anActionsOptionBeforeTheActionSaysWhereItBelongs() {
        assertThat(parseFails("--json", "status")).hasMessage("--json is an option of status: write 'status --json'.");
        assertThat(parseFails("--json")).hasMessage("--json is an option of status: write 'status --json'.");
        assertThat(parseFails("--timeout", "5s", "restart")).hasMessage("--timeout is an option of stop, force-stop and"
                + " restart: write it after the action, as in 'restart --timeout 5s'.");
        assertThat(parseFails("--type=forking", "systemd-unit"))
                .hasMessage("--type is an option of systemd-unit: write 'systemd-unit --type=forking'.");
        assertThat(parseFails("--colour", "status")).hasMessage("Unknown action '--colour'.");
    }

    @Test
    void acceptsADoubleDashWithNothingAfterIt() {
        assertThat(ActionParser.parse("stop", "--")).isEqualTo(Action.STOP);
    }

    @Test
    void rejectsEmptyArgumentsWithUsageStatus() {
        assertThat(parseFails()).hasMessageContaining("No action");
    }

    @Test
    void rejectsANullArgumentArrayWithUsageStatus() {
        assertThat(parseFails((String[]) null)).hasMessageContaining("No action");
    }

    @Test
    void rejectsANullOrEmptyActionWithUsageStatus() {
        assertThat(parseFails((String) null)).hasMessageContaining("No action");
        assertThat(parseFails("")).hasMessageContaining("No action");
    }

    @Test
    void rejectsAMisspelledActionNamingIt() {
        assertThat(parseFails("strat")).hasMessageContaining("'strat'").hasMessageContaining("Unknown action");
    }

    @ParameterizedTest
    @ValueSource(strings = {"START", "Start", "stOp", "STATUS", "Run"})
    void rejectsActionsInAnotherCaseBecauseNamesAreCaseSensitive(String name) {
        assertThat(parseFails(name)).hasMessageContaining("'" + name + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-h", "--help", "force-reload", " start", "start "})
    void rejectsOtherUnknownActionsNamingThem(String name) {
        assertThat(parseFails(name)).hasMessageContaining(name);
    }

    @Test
    void rejectsAnUnknownOptionAfterTheActionNamingTheOptionAndTheAction() {
        assertThat(parseFails("stop", "--bogus")).hasMessageContaining("--bogus").hasMessageContaining("stop");
    }

    @Test
    void rejectsAnUnknownShortOptionAfterTheAction() {
        assertThat(parseFails("start", "-x")).hasMessageContaining("-x");
    }

    @Test
    void rejectsAnExtraPositionalArgumentNamingIt() {
        assertThat(parseFails("start", "extra")).hasMessageContaining("'extra'").hasMessageContaining("start");
    }

    @Test
    void rejectsASecondAction() {
        assertThat(parseFails("stop", "start")).hasMessageContaining("'start'");
    }

    @Test
    void rejectsAnArgumentAfterADoubleDash() {
        assertThat(parseFails("status", "--", "extra")).hasMessageContaining("extra");
    }

    @Test
    void usageNamesTheProgramAndEveryAction() {
        String usage = ActionParser.usage("sleepy");

        assertThat(usage).startsWith("Usage: sleepy ").contains("start|stop|force-stop|restart|status|reload|reopen-logs|run|systemd-unit");
        for (Action action : Action.values()) {
            assertThat(usage).contains(action.actionName()).contains(action.description());
        }
    }

    @Test
    void invalidActionExceptionIsAUsageError() {
        assertThatThrownBy(() -> ActionParser.parse("strat"))
                .isInstanceOf(InvalidActionException.class)
                .hasMessage("Unknown action 'strat'.");
    }
}
