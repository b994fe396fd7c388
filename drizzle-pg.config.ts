import { defineConfig } from 'drizzle-kit';

// PostgreSQL migrations, generated from the tables derived from src/db/schema.ts (see src/db/schema-pg.ts).
// `npm run db:generate` runs both configs; commit migrations/ and migrations-pg/ together.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema-pg.ts',
  out: './migrations-pg',
});
