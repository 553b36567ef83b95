//! A faithful local emulator of the three Hailuo 2.3 services, built from ../shared/providers.md.
