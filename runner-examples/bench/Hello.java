// SPDX-License-Identifier: Apache-2.0
/** The floor: the cheapest JVM run there is (start, print a line, exit). */
public class Hello {
    public static void main(String[] args) {
        System.out.println("Hello");
    }
}
