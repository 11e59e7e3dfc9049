#!/bin/sh
# Copies the browser year's screenshots that the operating guide (操作指南) shows into the
# binary's assets, reduced to 64 colours (pngquant) to keep the binary small. Run after
# `cargo test -p kaohe --test browser` when the pages they show have changed.
set -e
cd "$(dirname "$0")/.."
from=target/tmp/browser-year/screenshots
to=crates/kaohe-web/assets
for shot in report-empty-phone item-preview-phone submit-confirm-phone results-unit-phone \
    review-queue-by-item-desktop review-item-desktop import-preview-desktop admin-campaign-desktop \
    results-phone; do
    pngquant 64 --strip --force --output "$to/guide-$shot.png" "$from/$shot.png"
done
ls -l "$to"/guide-*.png
