/** placeholder */
package io.chronik.protocol;
