// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DebugLogTest {
    @Test
    void findsTheTestsBindingSlf4jSimple() {
        assertThat(DebugLog.hasBinding()).isTrue(); // the binding-less class path is EnvironmentsIT's
    }
}
