/** placeholder */
package io.chronik.cli;
