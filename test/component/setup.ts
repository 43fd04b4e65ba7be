// Component test setup: jest-dom matchers (toBeInTheDocument, toHaveTextContent, ...) for vitest.
import '@testing-library/jest-dom/vitest';
