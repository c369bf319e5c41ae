/** placeholder */
package io.chronik.server;
