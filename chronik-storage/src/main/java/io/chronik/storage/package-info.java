/** placeholder */
package io.chronik.storage;
