// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no IntersectionObserver; @grafana/ui's select menus use it for scroll shadows only.
class IntersectionObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
global.IntersectionObserver = global.IntersectionObserver || IntersectionObserverStub;

// @grafana/ui initialises i18next, which prints an advertisement in every test file; i18next's own switch.
process.env.I18NEXT_NO_SUPPORT_NOTICE = 'true';
