package org.vidar.bench;
