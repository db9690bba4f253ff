// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The main method ProgramMain calls is the one the java launcher would call. */
class ProgramMainTest {
    public static class Classic {
        public static void main(String[] args) {
        }
    }

    public static class Inherits extends Classic {
    }

    static class InstanceMains {
        void main() {
        }

        void main(String[] args) {
        }
    }

    static class NoArguments {
        static void main() {
        }
    }

    interface Runner {
        default void main() {
        }
    }

    static class FromInterface implements Runner {
    }

    interface StaticMain {
        static void main(String[] args) {
        }
    }

    static class StaticInInterface implements StaticMain {
        void main() {
        }
    }

    public static class PublicParent {
        public void main(String[] args) {
        }
    }

    static class HidesItsOwn extends PublicParent {
        private static void main() {
        }
    }

    static class PrivateWithArguments {
        private static void main(String[] args) {
        }

        void main() {
        }
    }

    @Test
    void aPublicStaticMainWithArgumentsIsFoundDeclaredOrInherited() throws NoSuchMethodException {
        assertThat(ProgramMain.mainMethod(Classic.class, false)).isEqualTo(Classic.class.getMethod("main", String[].class));
        assertThat(ProgramMain.mainMethod(Inherits.class, false)).isEqualTo(Classic.class.getMethod("main", String[].class));
        assertThat(ProgramMain.mainMethod(Classic.class, true)).isEqualTo(Classic.class.getMethod("main", String[].class));
    }

    @Test
    void fromJdk25InstanceAndParameterlessMainsCountTheOneWithArgumentsFirst() throws NoSuchMethodException {
        assertThat(ProgramMain.mainMethod(InstanceMains.class, true))
                .isEqualTo(InstanceMains.class.getDeclaredMethod("main", String[].class));
        assertThat(ProgramMain.mainMethod(NoArguments.class, true))
                .isEqualTo(NoArguments.class.getDeclaredMethod("main"));
    }

    @Test
    void fromJdk25AnInterfacesDefaultMainCountsButNotItsStaticOne() throws NoSuchMethodException {
        assertThat(ProgramMain.mainMethod(FromInterface.class, true)).isEqualTo(Runner.class.getMethod("main"));
        assertThat(ProgramMain.mainMethod(StaticInInterface.class, true)).as("an interface's static main is not inherited")
                .isEqualTo(StaticInInterface.class.getDeclaredMethod("main"));
    }

    @Test
    void fromJdk25APrivateMainIsPassedOverForTheNextOneAsTheLauncherDoes() throws NoSuchMethodException {
        assertThat(ProgramMain.mainMethod(PrivateWithArguments.class, true))
                .isEqualTo(PrivateWithArguments.class.getDeclaredMethod("main"));
        assertThat(ProgramMain.mainMethod(HidesItsOwn.class, true)).as("a public main(String[]) first, even inherited")
                .isEqualTo(PublicParent.class.getMethod("main", String[].class));
    }
}
