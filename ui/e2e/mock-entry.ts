// The browser tests' entry: the fake shell first, then the app exactly as it ships.
import "./mock-backend";
import "../src/main";
